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

  protected update(
    w: tf.Variable,
    g: tf.Tensor,
    { momentum: v }: { momentum: tf.Variable },
    { lr, run, runAll }: StepContext,
  ) {
    const { momentum: m, nesterov } = this.c;
    const [W, G, V] = [F.inputOf(0), F.inputOf(1), F.inputOf(2)];
    const step = F.mul(G, F.constant(lr)); // lr·g
    if (m === 0) {
      w.assign(run(F.sub(W, step), [w, g]));
      return;
    }
    // v·m - lr·g, then w + v; Nesterov: w + (v·m - lr·g) from the new v
    const v1 = F.resultOf(0);
    const next = runAll(
      [F.sub(F.mul(V, F.constant(m)), step), nesterov ? F.add(W, F.sub(F.mul(v1, F.constant(m)), step)) : F.add(W, v1)],
      [w, g, v],
    );
    v.assign(next[0] as tf.Tensor);
    w.assign(next[1] as tf.Tensor);
  }
}
