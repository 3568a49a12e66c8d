/**
 * SGD (Keras 3): without momentum w ← w - lr·g. With momentum m: v ← m·v - lr·g, then w ← w + v,
 * or with Nesterov w ← w + m·v - lr·g (v already updated). v starts at zero.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseOptimizer, optimizerFields, type StepContext } from './base.js';
import { inInterval } from './interval.js';

export const SGDConfig = configObject(optimizerFields(0.01), {
  /** Momentum factor m in [0, 1] (Keras refuses others); 0 keeps no velocity slot. Default 0. */
  momentum: inInterval('[0, 1]').default(0),
  /** Nesterov momentum. Default false. */
  nesterov: z.boolean().default(false),
});
export type SGDConfig = z.input<typeof SGDConfig>;

/**
 * Stochastic gradient descent, with optional (Nesterov) momentum.
 *
 * @example
 * const sgd = new SGD({ learningRate: 0.1, momentum: 0.9 });
 * sgd.apply([w], [dw]);
 */
export class SGD extends BaseOptimizer<typeof SGDConfig, 'momentum'> {
  constructor(config: SGDConfig = {}) {
    super('SGD', SGDConfig, config);
  }

  protected slotNames() {
    return this.c.momentum > 0 ? (['momentum'] as const) : [];
  }

  protected update(w: tf.Variable, g: tf.Tensor, { momentum: v }: { momentum: tf.Variable }, { lr }: StepContext) {
    const { momentum: m, nesterov } = this.c;
    const step = tf.mul(g, lr);
    if (m === 0) {
      w.assign(tf.sub(w, step));
      return;
    }
    v.assign(tf.sub(tf.mul(v, m), step));
    w.assign(nesterov ? tf.add(w, tf.sub(tf.mul(v, m), step)) : tf.add(w, v));
  }
}
