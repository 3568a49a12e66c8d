/**
 * Adagrad (Keras 3): a ← a + g²; w ← w - lr·g/√(a + ε), the accumulator a starting at
 * initialAccumulatorValue. ε sits inside the root; tfjs-core's adagrad is the same update with ε fixed
 * to the backend's epsilon.
 */
import { configObject, nonNegativeNumber, positiveNumber } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseOptimizer, optimizerFields, type StepContext } from './base.js';

export const AdagradConfig = configObject(optimizerFields(0.001), {
  /** Starting value of every accumulator entry. Default 0.1. */
  initialAccumulatorValue: nonNegativeNumber().default(0.1),
  /** Small constant added to the accumulator under the root. Default 1e-7. */
  epsilon: positiveNumber().default(1e-7),
});
export type AdagradConfig = z.input<typeof AdagradConfig>;

/**
 * Adagrad: each entry's step shrinks with the sum of its squared gradients so far, so rarely updated
 * entries keep larger steps.
 *
 * @example
 * const adagrad = new Adagrad({ learningRate: 0.01 });
 * adagrad.apply([w], [dw]);
 */
export class Adagrad extends BaseOptimizer<typeof AdagradConfig, 'accumulator'> {
  constructor(config: AdagradConfig = {}) {
    super('Adagrad', AdagradConfig, config);
  }

  protected slotNames() {
    return ['accumulator'] as const;
  }

  protected override initialSlotValue(): number {
    return this.c.initialAccumulatorValue;
  }

  protected update(
    w: tf.Variable,
    g: tf.Tensor,
    { accumulator: a }: { accumulator: tf.Variable },
    { lr }: StepContext,
  ) {
    a.assign(tf.add(a, tf.square(g)));
    w.assign(tf.sub(w, tf.div(tf.mul(g, lr), tf.sqrt(tf.add(a, this.c.epsilon)))));
  }
}
