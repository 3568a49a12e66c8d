/**
 * Moves a loaded model's training into the model being trained (the same spec): every weight by name, the
 * optimizer's slots and step count (keyed by weight name, since each model's variables have their own
 * names), and the learning rate when it is a plain number (ReduceLROnPlateau or a scheduler may have set it).
 */
import { BrickError, formatShape } from '@brickml/core';
import type * as tf from '@tensorflow/tfjs-core';
import { remapOptimizerState } from '../io/optimizer-state.js';
import { namedWeights } from '../io/weights.js';
import type { Model } from '../model.js';

/**
 * Checks that `from`'s training fits `to` (the same weight names and shapes, the same optimizer class), a
 * named error before anything changes otherwise, and returns the copy, to run once every other check passed.
 */
export async function prepareTrainingCopy(who: string, from: Model, to: Model): Promise<() => void> {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  const source = namedWeights(from);
  const target = namedWeights(to);
  const missing = [...target.keys()].filter((k) => !source.has(k));
  const extra = [...source.keys()].filter((k) => !target.has(k));
  if (missing.length > 0 || extra.length > 0) {
    fail(
      `the saved model's weights differ from the model's: ${[...missing.map((k) => `'${k}' missing`), ...extra.map((k) => `'${k}' unknown`)].join(', ')}`,
    );
  }
  const pairs = [...target].map(([name, t]) => {
    const s = (source.get(name) as { variable: tf.Variable }).variable;
    if (s.shape.join() !== t.variable.shape.join()) {
      fail(`weight '${name}' has shape ${formatShape(s.shape)} saved, ${formatShape(t.variable.shape)} in the model`);
    }
    return [s, t.variable] as const;
  });
  const saved = await from.optimizer.getState();
  if (saved.className !== to.optimizer.className) {
    fail(`the saved optimizer is ${saved.className}, the model's is ${to.optimizer.className}`);
  }
  const state = remapOptimizerState(who, saved, from, to);
  const lr = from.optimizer.config.learningRate;
  return () => {
    to.optimizer.setState(state, to.trainableVariables());
    if (typeof lr === 'number') to.optimizer.setLearningRate(lr);
    for (const [s, t] of pairs) t.assign(s);
  };
}
