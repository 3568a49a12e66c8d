/**
 * MeanAbsoluteError (Keras 3): lᵢ = mean_c |pᵢc - yᵢc|
 * Backward: d lᵢ / d pᵢc = sign(pᵢc - yᵢc) / C   (0 where p = y, as tf.abs' gradient)
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLoss } from './base.js';

export const MeanAbsoluteErrorConfig = configObject({});
export type MeanAbsoluteErrorConfig = z.input<typeof MeanAbsoluteErrorConfig>;

/**
 * The mean of absolute differences over the last axis: a regression loss that outliers pull less.
 *
 * @example
 * const mae = new MeanAbsoluteError();
 * const loss = mae.value(yTrue, yPred);
 */
export class MeanAbsoluteError extends BaseLoss<typeof MeanAbsoluteErrorConfig> {
  readonly targets = 'elementwise';

  constructor(config: MeanAbsoluteErrorConfig = {}) {
    super('MeanAbsoluteError', MeanAbsoluteErrorConfig, config);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mean(tf.abs(tf.sub(p, y)), -1);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mul(tf.sign(tf.sub(p, y)), 1 / (p.shape[p.rank - 1] as number));
  }
}
