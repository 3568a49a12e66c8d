/**
 * KLDivergence (Keras 3 `kl_divergence`): with y' = clip(y, ε, 1) and q = clip(p, ε, 1),
 * lₖ = Σ_c y'c·log(y'c / qc)   (a sum over the last axis, not a mean).
 * Backward: d lₖ / d pc = -y'c / qc where ε ≤ pc ≤ 1, else 0 (the flat parts of the clip).
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLoss, EPSILON } from './base.js';

export const KLDivergenceConfig = configObject({});
export type KLDivergenceConfig = z.input<typeof KLDivergenceConfig>;

/**
 * Kullback-Leibler divergence of the predicted distribution from the target one, over the last axis.
 *
 * @example
 * const kld = new KLDivergence();
 * const loss = kld.value(tf.tensor2d([[0.5, 0.5]]), tf.tensor2d([[0.9, 0.1]])); // 0.5108
 */
export class KLDivergence extends BaseLoss<typeof KLDivergenceConfig> {
  readonly targets = 'elementwise';

  constructor(config: KLDivergenceConfig = {}) {
    super('KLDivergence', KLDivergenceConfig, config);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const yc = tf.clipByValue(y, EPSILON, 1);
    return tf.sum(tf.mul(yc, tf.log(tf.div(yc, tf.clipByValue(p, EPSILON, 1)))), -1);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const inside = tf.cast(tf.logicalAnd(tf.greaterEqual(p, EPSILON), tf.lessEqual(p, 1)), 'float32');
    return tf.neg(tf.mul(tf.div(tf.clipByValue(y, EPSILON, 1), tf.clipByValue(p, EPSILON, 1)), inside));
  }
}
