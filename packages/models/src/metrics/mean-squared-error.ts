/**
 * MeanSquaredError metric: vᵢ = mean over the last axis of the squared error (y - ŷ)², averaged over the epoch
 * with sample weights (Keras MeanSquaredError metric).
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { checkSameShape, MeanMetric } from './metric.js';

export const MeanSquaredErrorConfig = configObject({
  /** Logs key. Default: 'mean_squared_error' ('mse' when asked for by that name). */
  name: z.string().min(1).default('mean_squared_error'),
});

/**
 * Whole-epoch mean squared error (y - ŷ)².
 * @example
 * const m = new MeanSquaredError({ name: 'mse' });
 * m.update(tf.tensor2d([[1], [0]]), tf.tensor2d([[0.5], [0]]));
 * await m.result(); // 0.125
 */
export class MeanSquaredError extends MeanMetric {
  readonly className = 'MeanSquaredError';
  readonly config: z.output<typeof MeanSquaredErrorConfig>;
  readonly name: string;

  constructor(config: z.input<typeof MeanSquaredErrorConfig> = {}) {
    super();
    this.config = parseConfig('MeanSquaredError', MeanSquaredErrorConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    checkSameShape(this.name, yTrue, yPred);
    return tf.mean(tf.square(tf.sub(tf.cast(yTrue, 'float32'), yPred)), -1);
  }
}
