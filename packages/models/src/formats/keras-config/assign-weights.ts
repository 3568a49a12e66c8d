/**
 * Weights a Keras 2 or tfjs-layers file names (`dense_1/kernel`, `lstm/lstm_cell/kernel:0`,
 * `bidirectional/forward_lstm/recurrent_kernel`) into a built brickml model. Every weight of the model is
 * found exactly once, with the variable's shape, and every weight of the file is taken: otherwise a named
 * error before any weight changes. A stateful recurrent brick's carried states, which Keras does not store,
 * start at zero.
 */
import { formatShape, type Shape, sizeOf } from '@brickml/core';
import type { Brick, BrickSpec } from '@brickml/layers';
import { assignNamedWeights, describeSlot, namedWeights, sameShape } from '../../io/weights.js';
import type { Model } from '../../model.js';
import { fail } from './errors.js';
import { type KerasWeight, kerasWeights, matchesKerasName } from './weights.js';

/** One weight of a file: its shape and values. */
export interface FileWeight {
  shape: Shape;
  values: Float32Array;
}

/** Assigns `weights` (by Keras name) to `model`; see the module comment for what is checked. */
export function assignKerasNamedWeights(who: string, model: Model, weights: ReadonlyMap<string, FileWeight>): void {
  const values = new Map<string, Float32Array>();
  const takenBy = new Map<string, string>();
  const perBrick = new Map<Brick, KerasWeight[]>();
  for (const [name, slot] of namedWeights(model)) {
    const layer = slot.layer;
    if (!perBrick.has(layer)) perBrick.set(layer, kerasWeights(layer.toSpec() as BrickSpec));
    const w = perBrick.get(layer)?.find((x) => x.key === slot.key);
    if (!w) {
      if (slot.kind === 'state') {
        values.set(name, new Float32Array(sizeOf(slot.variable.shape)));
        continue;
      }
      fail(who, `${describeSlot(slot)} has no Keras weight name`);
    }
    // Behind the names of the nested models that hold the brick, which the file may or may not write.
    const prefix = name.slice(0, name.length - `${layer.name}/${slot.key}`.length);
    const found = [...weights.keys()].filter(
      (f) =>
        matchesKerasName(f, layer.name, w) ||
        (prefix !== '' && f.startsWith(prefix) && matchesKerasName(f.slice(prefix.length), layer.name, w)),
    );
    if (found.length === 0) fail(who, `the file has no weight '${layer.name}/${w.keras}' for ${describeSlot(slot)}`);
    if (found.length > 1) {
      fail(who, `the file has several weights for ${describeSlot(slot)}: ${found.map((f) => `'${f}'`).join(', ')}`);
    }
    const file = found[0] as string;
    const other = takenBy.get(file);
    if (other) fail(who, `the file's weight '${file}' would serve both ${other} and ${describeSlot(slot)}`);
    takenBy.set(file, describeSlot(slot));
    const { shape, values: v } = weights.get(file) as FileWeight;
    if (!sameShape(shape, slot.variable.shape)) {
      fail(
        who,
        `weight '${file}' has shape ${formatShape(shape)}, ${describeSlot(slot)} needs ${formatShape(slot.variable.shape)}`,
      );
    }
    values.set(name, v);
  }
  for (const f of weights.keys()) {
    if (!takenBy.has(f)) fail(who, `the file holds weight '${f}', which no brick of the model takes`);
  }
  assignNamedWeights(who, model, values);
}
