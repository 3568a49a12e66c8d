/**
 * An optimizer keys its slots by tf.Variable name, which differs between two models built from one spec. Saves
 * and copies key them by weight name (`dense_1/kernel`, see namedWeights) instead, and map them back onto the
 * variables of the model that receives them.
 */
import { BrickError } from '@brickml/core';
import type { OptimizerState } from '@brickml/optimizers';
import type { Model } from '../model.js';
import { namedWeights } from './weights.js';

/** The state with its slots keyed by `model`'s weight names; slots of variables outside the model are dropped. */
export function slotsByWeightName(state: OptimizerState, model: Model): OptimizerState {
  const nameOf = new Map([...namedWeights(model)].map(([name, s]) => [s.variable.name, name]));
  const slots: OptimizerState['slots'] = {};
  for (const [variable, bySlot] of Object.entries(state.slots)) {
    const name = nameOf.get(variable);
    if (name !== undefined) slots[name] = bySlot;
  }
  return { ...state, slots };
}

/** The state with slots keyed by weight name, keyed by `model`'s variables; a named error for an unknown weight. */
export function slotsByVariable(who: string, state: OptimizerState, model: Model): OptimizerState {
  const weights = namedWeights(model);
  const slots: OptimizerState['slots'] = {};
  for (const [name, bySlot] of Object.entries(state.slots)) {
    const weight = weights.get(name);
    if (!weight) {
      throw new BrickError(`${who}: the optimizer state names weight '${name}', which the model does not have`, who);
    }
    slots[weight.variable.name] = bySlot;
  }
  return { ...state, slots };
}

/**
 * A state of `from`'s optimizer keyed for `to`'s variables. The two models hold the same weights in the same
 * order (one spec built twice), though automatic names may differ (`dense_3` in one, `dense_7` in the other):
 * the weights are paired by position.
 */
export function remapOptimizerState(state: OptimizerState, from: Model, to: Model): OptimizerState {
  const target = [...namedWeights(to).values()];
  const toVariable = new Map(
    [...namedWeights(from).values()].map((s, i) => [s.variable.name, target[i]?.variable.name]),
  );
  const slots: OptimizerState['slots'] = {};
  for (const [variable, bySlot] of Object.entries(state.slots)) {
    const name = toVariable.get(variable);
    if (name !== undefined) slots[name] = bySlot;
  }
  return { ...state, slots };
}
