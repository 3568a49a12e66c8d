/**
 * SGD (Keras 3): without momentum w ← w - lr·g. With momentum m: v ← m·v - lr·g, then w ← w + v,
 * or with Nesterov w ← w + m·v - lr·g (v already updated). v starts at zero.
 */

import { configObject, formula as F } from '@brickml/core';
import type * as tf from '@tensorflow/tfjs-core';
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

  protected update(w: tf.Variable, g: tf.Tensor, { momentum: v }: { momentum: tf.Variable }, { lr, run }: StepContext) {
    const { momentum: m, nesterov } = this.c;
    const [A, B] = [F.inputOf(0), F.inputOf(1)];
    const step = F.mul(B, F.constant(lr)); // lr·g, over (·, g)
    if (m === 0) {
      w.assign(run(F.sub(A, step), [w, g]));
      return;
    }
    v.assign(run(F.sub(F.mul(A, F.constant(m)), step), [v, g]));
    // Nesterov: w + (m·v - lr·g), over w, g, v; else w + v
    const look = F.sub(F.mul(F.inputOf(2), F.constant(m)), step);
    w.assign(nesterov ? run(F.add(A, look), [w, g, v]) : run(F.add(A, B), [w, v]));
  }
}
