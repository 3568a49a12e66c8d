/**
 * Poisson (Keras 3 `poisson`): lₖ = mean_c (pc - yc·log(pc + ε)), ε = 1e-7; p is a predicted rate (> 0).
 * Backward: d lₖ / d pc = (1 - yc / (pc + ε)) / C.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLoss, EPSILON } from './base.js';

export const PoissonConfig = configObject({});
export type PoissonConfig = z.input<typeof PoissonConfig>;

/**
 * The negative Poisson log-likelihood of counts y under predicted rates p (up to a term in y alone).
 *
 * @example
 * const poisson = new Poisson();
 * const loss = poisson.value(tf.tensor2d([[2, 0]]), tf.tensor2d([[1.5, 0.2]]));
 */
export class Poisson extends BaseLoss<typeof PoissonConfig> {
  readonly targets = 'elementwise';

  constructor(config: PoissonConfig = {}) {
    super('Poisson', PoissonConfig, config);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mean(tf.sub(p, tf.mul(y, tf.log(tf.add(p, EPSILON)))), -1);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mul(tf.sub(1, tf.div(y, tf.add(p, EPSILON))), 1 / (p.shape[p.rank - 1] as number));
  }
}
