/**
 * Where Keras 3 keeps each weight in model.weights.h5 (saving_lib._save_state): every saveable object gets a
 * group `<path>/vars` holding its own variables as datasets '0', '1', ... (trainable ones first, each kind in
 * creation order) and a `name` attribute. A model's layers sit under `layers/<class in snake case>` with a
 * counter per class name (`dense`, `dense_1`: never the layer's own name), a recurrent layer's weights under
 * its `cell`, a wrapper's inner layers under `layer` or `forward_layer` / `backward_layer`, and the model
 * itself is the root group.
 */
import type { Brick } from '@brickml/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { isNestedModel, type Member } from '../../engine/executor.js';
import type { Model } from '../../model.js';
import { RECURRENT, snake } from '../keras-config/names.js';
import { kerasWeights } from '../keras-config/weights.js';

/** One `vars` group: its path (without `/vars`), the Keras object's name, and its variables in order. */
export interface VarsGroup {
  path: string;
  name: string;
  weights: { key: string; variable: tf.Variable }[];
  /** The brick these weights belong to (null for a model's own, empty group). */
  brick: Brick | null;
}

/** saving_lib._get_unique_name: the first use of a name keeps it, later ones get `_1`, `_2`, ... */
export function uniqueNamer(): (name: string) => string {
  const used = new Map<string, number>();
  return (name) => {
    const n = used.get(name);
    used.set(name, n === undefined ? 0 : n + 1);
    return n === undefined ? name : `${name}_${n + 1}`;
  };
}

const join = (a: string, b: string) => (a ? `${a}/${b}` : b);

/**
 * Every vars group of a model, in the order Keras visits them. A functional model lists its InputLayers
 * among its layers (Sequential does not): each has its own empty group, `layers/input_layer`, ...
 */
export function kerasVarsGroups(model: Model): VarsGroup[] {
  const groups: VarsGroup[] = [];
  modelGroups(model, '', groups);
  return groups;
}

function modelGroups(model: Model, path: string, out: VarsGroup[]): void {
  out.push({ path, name: model.name, weights: [], brick: null });
  const name = uniqueNamer();
  if (model.className !== 'Sequential') {
    model.inputNames.forEach((input) => {
      out.push({ path: join(path, `layers/${name('input_layer')}`), name: input, weights: [], brick: null });
    });
  }
  for (const member of model.layers as readonly Member[]) {
    const at = join(path, `layers/${name(snake(member.className))}`);
    if (isNestedModel(member)) modelGroups(member as Model, at, out);
    else brickGroups(member, at, out);
  }
}

/**
 * A brick's weights whose keys start with `prefix`, in Keras' creation order (kerasWeights: the one list of
 * Keras' weights), keyed as namedWeights keys them. Stateful carried states are not listed: Keras creates
 * them untracked, so they are not saved.
 */
function ordered(brick: Brick, prefix = ''): VarsGroup['weights'] {
  return kerasWeights(brick)
    .filter((w) => w.key.startsWith(prefix))
    .map(({ key }) => ({ key, variable: (brick.params[key] ?? brick.state[key]) as tf.Variable }));
}

function brickGroups(brick: Brick, path: string, out: VarsGroup[]): void {
  const inner = brick as Brick & { layer?: Brick; forwardLayer?: Brick; backwardLayer?: Brick };
  if (RECURRENT.has(brick.className)) {
    out.push({ path, name: brick.name, weights: [], brick });
    out.push({ path: `${path}/cell`, name: `${snake(brick.className)}_cell`, weights: ordered(brick), brick });
    return;
  }
  if (brick.className === 'Bidirectional' && inner.forwardLayer && inner.backwardLayer) {
    out.push({ path, name: brick.name, weights: [], brick });
    for (const [dir, copy] of [
      ['forward', inner.forwardLayer],
      ['backward', inner.backwardLayer],
    ] as const) {
      // The copy's weights, keyed as the wrapper keys them (`forward/kernel`), sit under its cell.
      const layerPath = `${path}/${dir}_layer`;
      const weights = ordered(brick, `${dir}/`);
      if (RECURRENT.has(copy.className)) {
        out.push({ path: layerPath, name: copy.name, weights: [], brick });
        out.push({ path: `${layerPath}/cell`, name: `${snake(copy.className)}_cell`, weights, brick });
      } else out.push({ path: layerPath, name: copy.name, weights, brick });
    }
    return;
  }
  if (brick.className === 'TimeDistributed' && inner.layer) {
    out.push({ path, name: brick.name, weights: [], brick });
    brickGroups(inner.layer, `${path}/layer`, out);
    return;
  }
  out.push({ path, name: brick.name, weights: ordered(brick), brick });
}
