/**
 * Lion (Keras 3): w ← w - lr·sign(β₁·m + (1-β₁)·g), then m ← β₂·m + (1-β₂)·g; m starts at zero.
 * Every entry moves by exactly ±lr (or 0), so Lion wants a smaller learning rate than Adam.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseOptimizer, optimizerFields, type StepContext } from './base.js';
import { inInterval } from './interval.js';

export const LionConfig = configObject(optimizerFields(0.001), {
  /** Weight of the momentum in the step's sign, in (0, 1] (Keras: at 0 Lion is SignSGD). Default 0.9. */
  beta1: inInterval('(0, 1]').default(0.9),
  /** Decay of the momentum. Default 0.99. */
  beta2: inInterval('[0, 1]').default(0.99),
});
export type LionConfig = z.input<typeof LionConfig>;

/**
 * Lion (evoLved sIgn mOmeNtum): steps by the sign of an interpolation of momentum and gradient.
 *
 * @example
 * const lion = new Lion({ learningRate: 1e-4 });
 * lion.apply([w], [dw]);
 */
export class Lion extends BaseOptimizer<typeof LionConfig, 'momentum'> {
  constructor(config: LionConfig = {}) {
    super('Lion', LionConfig, config);
  }

  protected slotNames() {
    return ['momentum'] as const;
  }

  protected update(w: tf.Variable, g: tf.Tensor, { momentum: m }: { momentum: tf.Variable }, { lr }: StepContext) {
    const { beta1, beta2 } = this.c;
    w.assign(tf.sub(w, tf.mul(tf.sign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1))), lr)));
    m.assign(tf.add(tf.mul(m, beta2), tf.mul(g, 1 - beta2)));
  }
}
