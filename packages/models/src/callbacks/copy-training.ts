/**
 * Moves a loaded model's training into the model being trained (the same spec): every weight, paired by
 * position with the same brick class, key and shape, the optimizer's slots and step count (remapped, since
 * each model's variables have their own names), and the learning rate when it is a plain number (ReduceLROnPlateau or a scheduler may have set it).
 */
import { BrickError, formatShape } from '@brickml/core';
import { remapOptimizerState } from '../io/optimizer-state.js';
import { describeSlot, namedWeights, type WeightSlot } from '../io/weights.js';
import type { Model } from '../model.js';

/**
 * Checks that `from`'s training fits `to` (the same weights in order, the same optimizer class), a
 * named error before anything changes otherwise, and returns the copy, to run once every other check passed.
 */
export async function prepareTrainingCopy(who: string, from: Model, to: Model): Promise<() => void> {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  // Paired by position: the same spec built twice in one process names its bricks differently.
  const source = [...namedWeights(from).values()];
  const target = [...namedWeights(to).values()];
  if (source.length !== target.length) {
    fail(`the saved model has ${source.length} weights, the model has ${target.length}: they are not one architecture`);
  }
  const pairs = target.map((t, i) => {
    const s = source[i] as WeightSlot;
    const same = s.layer.className === t.layer.className && s.key === t.key && s.kind === t.kind;
    if (!same || s.variable.shape.join() !== t.variable.shape.join()) {
      fail(
        `weight ${i} is ${describeSlot(s)} ${formatShape(s.variable.shape)} saved, ${describeSlot(t)} ${formatShape(t.variable.shape)} in the model`,
      );
    }
    return [s.variable, t.variable] as const;
  });
  const saved = await from.optimizer.getState();
  if (saved.className !== to.optimizer.className) {
    fail(`the saved optimizer is ${saved.className}, the model's is ${to.optimizer.className}`);
  }
  const state = remapOptimizerState(saved, from, to);
  const lr = from.optimizer.config.learningRate;
  return () => {
    to.optimizer.setState(state, to.trainableVariables());
    if (typeof lr === 'number') to.optimizer.setLearningRate(lr);
    for (const [s, t] of pairs) t.assign(s);
  };
}
