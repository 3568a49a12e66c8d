/**
 * A brick's weights as Keras creates and names them. Keras 3 stores them as `layers/<name>/vars/0..n` in
 * this order; Keras 2 and tfjs-layers by name (`dense_1/kernel`, `lstm/lstm_cell/recurrent_kernel`,
 * `bidirectional/forward_lstm/kernel`), which `matchesKerasName` reads, cell scopes or not.
 */
import type { Brick, BrickSpec } from '@brickml/layers';
import { fail } from './errors.js';
import { fullConfig } from './layer-config.js';
import { RECURRENT } from './names.js';

/** One weight: brickml's key in the brick (params or state, as namedWeights writes it) and Keras' name. */
export interface KerasWeight {
  /** brickml's key: `kernel`, `movingMean`, `forward/recurrentKernel`. */
  key: string;
  /** Keras' name below the layer: `kernel`, `moving_mean`, `forward_lstm/recurrent_kernel`. */
  keras: string;
}

const KERNEL = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv2DTranspose']);

/**
 * A brick's weights in Keras' creation order. A stateful recurrent brick's carried states are not weights
 * in Keras (they start at zero), so they are not listed. Given a brick, a param Keras has no name for (a
 * class this table lacks) is a named error rather than a weight left out; a spec tells no params, so a
 * class the table lacks lists none.
 */
export function kerasWeights(of: BrickSpec | Brick): KerasWeight[] {
  const spec = 'params' in of ? (of.toSpec() as BrickSpec) : of;
  const listed = weightsOf(spec) ?? [];
  if ('params' in of) {
    const keys = new Set(listed.map((w) => w.key));
    const missing = Object.keys(of.params).find((k) => !keys.has(k));
    if (missing !== undefined) {
      const who = `${of.className} '${of.name}'`;
      fail(who, `param '${missing}' has no Keras weight name (brickml knows none for class ${of.className})`);
    }
  }
  return listed;
}

/** The weights of a class the table knows, or null. */
function weightsOf(spec: BrickSpec): KerasWeight[] | null {
  const c = fullConfig(spec);
  const w = (key: string, keras: string): KerasWeight => ({ key, keras });
  const bias = c.useBias ? [w('bias', 'bias')] : [];
  const { className } = spec;
  if (KERNEL.has(className)) return [w('kernel', 'kernel'), ...bias];
  if (className === 'DepthwiseConv2D') return [w('kernel', 'depthwise_kernel'), ...bias];
  if (className === 'SeparableConv2D') {
    return [w('depthwiseKernel', 'depthwise_kernel'), w('pointwiseKernel', 'pointwise_kernel'), ...bias];
  }
  if (className === 'Embedding') return [w('embeddings', 'embeddings')];
  if (className === 'BatchNormalization' || className === 'LayerNormalization') {
    const moving =
      className === 'BatchNormalization'
        ? [w('movingMean', 'moving_mean'), w('movingVariance', 'moving_variance')]
        : [];
    return [...(c.scale ? [w('gamma', 'gamma')] : []), ...(c.center ? [w('beta', 'beta')] : []), ...moving];
  }
  if (RECURRENT.has(className)) return [w('kernel', 'kernel'), w('recurrentKernel', 'recurrent_kernel'), ...bias];
  if (className === 'TimeDistributed') return weightsOf(c.layer as BrickSpec);
  if (className === 'Bidirectional') {
    const inner = c.layer as BrickSpec;
    const name = inner.config.name as string;
    return (['forward', 'backward'] as const).flatMap((dir) =>
      (weightsOf(inner) ?? []).map((x) => w(`${dir}/${x.key}`, `${dir}_${name}/${x.keras}`)),
    );
  }
  return null;
}

/** brickml's keys of a brick's weights, in Keras' order (Keras 3's `vars/0..n`). */
export const kerasWeightKeys = (spec: BrickSpec): string[] => kerasWeights(spec).map((x) => x.key);

/**
 * Whether a Keras 2 / tfjs weight name (`lstm/lstm_cell/kernel:0`) is weight `w` of the layer named `layer`:
 * the layer's name opens it, its last part is the weight's, and a Bidirectional's direction
 * (`forward_…` / `backward_…`) is among the parts between. Scopes between (cells, a TimeDistributed's inner
 * layer) may be anything.
 */
export function matchesKerasName(fileName: string, layer: string, w: KerasWeight): boolean {
  const parts = fileName.replace(/:\d+$/, '').split('/');
  if (parts[0] !== layer || parts.length < 2) return false;
  const wanted = w.keras.split('/');
  if (parts[parts.length - 1] !== wanted[wanted.length - 1]) return false;
  const direction = wanted.length > 1 ? (wanted[0] as string).split('_')[0] : null;
  const middle = parts.slice(1, -1);
  if (direction) return middle.some((p) => p.startsWith(`${direction}_`));
  return !middle.some((p) => p.startsWith('forward_') || p.startsWith('backward_'));
}
