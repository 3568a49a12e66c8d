/**
 * MeanSquaredError (Keras 3): lᵢ = mean_c (pᵢc - yᵢc)²
 * Backward: d lᵢ / d pᵢc = 2 (pᵢc - yᵢc) / C
 * Keras has no ½ in front (the lecture's ½(y - p)² has gradient p - y); this follows Keras.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLoss } from './base.js';

export const MeanSquaredErrorConfig = configObject({});
export type MeanSquaredErrorConfig = z.input<typeof MeanSquaredErrorConfig>;

/**
 * The mean of squared differences over the last axis: the regression default.
 *
 * @example
 * const mse = new MeanSquaredError();
 * const loss = mse.value(yTrue, yPred); // scalar
 */
export class MeanSquaredError extends BaseLoss<typeof MeanSquaredErrorConfig> {
  readonly targets = 'elementwise';

  constructor(config: MeanSquaredErrorConfig = {}) {
    super('MeanSquaredError', MeanSquaredErrorConfig, config);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mean(tf.square(tf.sub(p, y)), -1);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mul(tf.sub(p, y), 2 / (p.shape[p.rank - 1] as number));
  }
}
