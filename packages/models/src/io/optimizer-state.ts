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

/** A state of `from`'s optimizer keyed for `to`'s variables (two models of one spec). */
export function remapOptimizerState(who: string, state: OptimizerState, from: Model, to: Model): OptimizerState {
  return slotsByVariable(who, slotsByWeightName(state, from), to);
}
