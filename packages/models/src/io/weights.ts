/**
 * Weights by name: `<layer>/<key>` (behind the names of the nested models that hold the brick), in getWeights'
 * order. Every format (brickml's own, tfjs-layers' model.json, Keras' .keras) maps its names onto these.
 */
import { BrickError, formatShape, type Shape, sizeOf } from '@brickml/core';
import type { Brick } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { isNestedModel, type Member } from '../engine/executor.js';
import type { Model } from '../model.js';

/** One weight of a built model: its brick, its key in the brick's params or state, and its variable. */
export interface WeightSlot {
  layer: Brick;
  key: string;
  /** 'param' (trained) or 'state' (not trained, saved: BatchNormalization's moving statistics). */
  kind: 'param' | 'state';
  variable: tf.Variable;
}

/** Every weight by name, in getWeights' order: each brick's params, then its state; nested models opened. */
export function namedWeights(model: Model): Map<string, WeightSlot> {
  const slots = new Map<string, WeightSlot>();
  const seen = new Set<Member>();
  const walk = (members: readonly Member[], prefix: string) => {
    for (const member of members) {
      if (seen.has(member)) continue;
      seen.add(member);
      if (isNestedModel(member)) {
        walk(member.executor.members(), `${prefix}${member.name}/`);
        continue;
      }
      const add = (kind: WeightSlot['kind'], vars: Record<string, tf.Variable>) => {
        for (const [key, variable] of Object.entries(vars))
          slots.set(`${prefix}${member.name}/${key}`, { layer: member, key, kind, variable });
      };
      add('param', member.params);
      add('state', member.state);
    }
  };
  walk(model.layers, '');
  return slots;
}

/** Where a weight sits, for error messages: `Dense 'out' param 'kernel'`. */
export const describeSlot = (s: WeightSlot) => `${s.layer.className} '${s.layer.name}' ${s.kind} '${s.key}'`;

/**
 * Assigns every weight of `model` from `values` (by name), after checking that the names are exactly the
 * model's and every length fits its shape: a named error before any weight changes otherwise.
 */
export function assignNamedWeights(who: string, model: Model, values: ReadonlyMap<string, Float32Array>): void {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  const slots = namedWeights(model);
  for (const name of values.keys()) {
    if (!slots.has(name)) fail(`the file holds weight '${name}', which the model's spec does not create`);
  }
  for (const [name, s] of slots) {
    const v = values.get(name) ?? fail(`the file has no weight '${name}' for ${describeSlot(s)}`);
    if (v.length !== sizeOf(s.variable.shape)) {
      fail(
        `${describeSlot(s)} must have shape ${formatShape(s.variable.shape)} (${sizeOf(s.variable.shape)} values), the file gives ${v.length} values`,
      );
    }
  }
  tf.tidy(() => {
    for (const [name, s] of slots)
      s.variable.assign(tf.tensor(values.get(name) as Float32Array, s.variable.shape, 'float32'));
  });
}

export const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);
