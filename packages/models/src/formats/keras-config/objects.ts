/**
 * Initializers and regularizers between brickml's forms and Keras' serialized objects ({class_name, config};
 * Keras 3 adds module and registered_name). An initializer's seed is dropped on reading: a loaded model's
 * weights come from the file, and brickml draws from its own seeded stream (setSeed).
 */
import type { Initializer, RegularizerConfig } from '@brickml/layers';
import { failField, type KerasFlavor, show } from './errors.js';
import { camel, isRecord } from './names.js';

/** Keras' serialized form of a built-in object of `module`. */
export function kerasObject(flavor: KerasFlavor, module: string, className: string, config: Record<string, unknown>) {
  return flavor === 'keras3'
    ? { module: `keras.${module}`, class_name: className, config, registered_name: null }
    : { class_name: className, config };
}

/** `{class_name, config}` of a Keras object (module and registered_name of Keras 3 dropped), or a bare name. */
function readObject(where: string, value: unknown): { className: string; config: Record<string, unknown> } {
  if (typeof value === 'string') return { className: value, config: {} };
  if (!isRecord(value) || typeof value.class_name !== 'string') {
    return failField(where, `must be a Keras object {class_name, config}, received ${show(value)}`);
  }
  const config = value.config ?? {};
  if (!isRecord(config)) return failField(where, `config must be an object, received ${show(config)}`);
  return { className: value.class_name, config };
}

/** Reads a config's number fields; any other key is a named error (nothing in it is left unread). */
function numbers(where: string, config: Record<string, unknown>, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'seed') continue;
    if (!keys.includes(k)) return failField(where, `has no field '${k}' brickml can represent, received ${show(v)}`);
    if (typeof v !== 'number') return failField(`${where}.${k}`, `must be a number, received ${show(v)}`);
    out[k] = v;
  }
  return out;
}

/** VarianceScaling settings that are one of brickml's named initializers. */
const VARIANCE_NAMES: Record<string, Initializer> = {
  '1/fan_avg/uniform': 'glorotUniform',
  '1/fan_avg/normal': 'glorotNormal',
  '1/fan_avg/truncated_normal': 'glorotNormal',
  '2/fan_in/uniform': 'heUniform',
  '2/fan_in/normal': 'heNormal',
  '2/fan_in/truncated_normal': 'heNormal',
  '1/fan_in/uniform': 'lecunUniform',
  '1/fan_in/normal': 'lecunNormal',
  '1/fan_in/truncated_normal': 'lecunNormal',
};

const NAMED = new Set([
  'zeros',
  'ones',
  'glorotUniform',
  'glorotNormal',
  'heNormal',
  'heUniform',
  'lecunNormal',
  'lecunUniform',
]);

/** A Keras initializer → brickml's form; `where` names the brick and field. */
export function initializerFromKeras(where: string, value: unknown): Initializer {
  const { className, config } = readObject(where, value);
  const key = camel(className.charAt(0).toLowerCase() + className.slice(1));
  if (key === 'varianceScaling' || (NAMED.has(key) && 'mode' in config)) {
    // tfjs-layers writes its glorot, he and lecun initializers as VarianceScaling settings.
    const { scale, mode, distribution } = config;
    const named = VARIANCE_NAMES[`${scale}/${mode}/${distribution}`];
    if (!named) return failField(where, `must be an initializer brickml has, received VarianceScaling ${show(config)}`);
    return named;
  }
  if (NAMED.has(key)) {
    numbers(where, config, []);
    return key as Initializer;
  }
  if (key === 'constant') return { className: 'Constant', config: { value: 0, ...numbers(where, config, ['value']) } };
  // At their defaults, brickml's named forms (which it writes as the Keras objects with those defaults).
  if (key === 'randomNormal') {
    const c = { mean: 0, stddev: 0.05, ...numbers(where, config, ['mean', 'stddev']) };
    return c.mean === 0 && c.stddev === 0.05 ? 'randomNormal' : { className: 'RandomNormal', config: c };
  }
  if (key === 'randomUniform') {
    const c = { minval: -0.05, maxval: 0.05, ...numbers(where, config, ['minval', 'maxval']) };
    return c.minval === -0.05 && c.maxval === 0.05 ? 'randomUniform' : { className: 'RandomUniform', config: c };
  }
  if (key === 'orthogonal') {
    const c = { gain: 1, ...numbers(where, config, ['gain']) };
    return c.gain === 1 ? 'orthogonal' : { className: 'Orthogonal', config: c };
  }
  return failField(where, `must be an initializer brickml has, received ${show(className)}`);
}

/** brickml's initializer → the Keras object. */
export function initializerToKeras(init: Initializer, flavor: KerasFlavor) {
  const o = (className: string, config: Record<string, unknown>) =>
    kerasObject(flavor, 'initializers', className, config);
  if (typeof init === 'string') {
    if (init === 'zeros' || init === 'ones') return o(init === 'zeros' ? 'Zeros' : 'Ones', {});
    if (init === 'randomNormal') return o('RandomNormal', { mean: 0, stddev: 0.05, seed: null });
    if (init === 'randomUniform') return o('RandomUniform', { minval: -0.05, maxval: 0.05, seed: null });
    if (init === 'orthogonal') return o('Orthogonal', { gain: 1, seed: null });
    return o(init.charAt(0).toUpperCase() + init.slice(1), { seed: null });
  }
  const config: Record<string, unknown> = { ...(init.config ?? {}) };
  if (init.className === 'Orthogonal' && config.gain === undefined) config.gain = 1;
  if (init.className !== 'Constant' && init.className !== 'Zeros' && init.className !== 'Ones') config.seed = null;
  return o(init.className, config);
}

/** A Keras regularizer (or null: none) → brickml's form; `where` names the brick and field. */
export function regularizerFromKeras(where: string, value: unknown): RegularizerConfig | undefined {
  if (value === null || value === undefined) return undefined;
  if (value === 'l1' || value === 'l2' || value === 'l1_l2') return value;
  const { className, config } = readObject(where, value);
  if (className === 'L1L2') return { className, config: { l1: 0, l2: 0, ...numbers(where, config, ['l1', 'l2']) } };
  if (className === 'L1') return { className, config: { l1: 0.01, ...numbers(where, config, ['l1']) } };
  if (className === 'L2') return { className, config: { l2: 0.01, ...numbers(where, config, ['l2']) } };
  return failField(where, `must be a regularizer brickml has (L1, L2, L1L2), received ${show(className)}`);
}

/** brickml's regularizer → the Keras object (Keras 2: always L1L2, the one class tfjs-layers registers). */
export function regularizerToKeras(reg: RegularizerConfig | undefined, flavor: KerasFlavor) {
  if (reg === undefined) return null;
  const STRING = { l1: { l1: 0.01, l2: 0 }, l2: { l1: 0, l2: 0.01 }, l1_l2: { l1: 0.01, l2: 0.01 } };
  const { l1, l2 } = typeof reg === 'string' ? STRING[reg] : { l1: 0, l2: 0, ...reg.config };
  if (flavor === 'keras2') return kerasObject(flavor, 'regularizers', 'L1L2', { l1, l2 });
  if (typeof reg === 'string') {
    if (reg === 'l1_l2') return kerasObject(flavor, 'regularizers', 'L1L2', { l1, l2 });
    return kerasObject(flavor, 'regularizers', reg.toUpperCase(), reg === 'l1' ? { l1 } : { l2 });
  }
  return kerasObject(flavor, 'regularizers', reg.className, { ...reg.config });
}
