/** Spelling and class sets shared by every Keras translator (configs, weights, training configs). */

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** 'recurrent_kernel' → 'recurrentKernel', 'beta_1' → 'beta1'. */
export const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Keras' to_snake_case (keras.src.utils.naming): 'recurrentKernel' → 'recurrent_kernel', 'Conv2D' → 'conv2d',
 * 'RMSprop' → 'rm_sprop' (so never for optimizer names: see training-config.ts).
 */
export function snake(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The recurrent bricks: their weights sit under a cell in Keras, their carried states are not weights. */
export const RECURRENT: ReadonlySet<string> = new Set(['SimpleRNN', 'LSTM', 'GRU']);
