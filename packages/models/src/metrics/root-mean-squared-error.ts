/**
 * RootMeanSquaredError metric: vᵢ = (yᵢ - ŷᵢ)² element by element, averaged over the epoch with sample
 * weights, result = √(total / count) (Keras RootMeanSquaredError: the root of the epoch mean, not a
 * mean of batch roots).
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { MeanMetric, matchRank } from './metric.js';

export const RootMeanSquaredErrorConfig = configObject({
  /** Logs key. Default: 'root_mean_squared_error'. */
  name: z.string().min(1).default('root_mean_squared_error'),
});

/**
 * Whole-epoch root mean squared error √mean((y - ŷ)²).
 * @example
 * const m = new RootMeanSquaredError();
 * m.update(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[1, 1], [0, 0]]));
 * await m.result(); // 0.5
 */
export class RootMeanSquaredError extends MeanMetric {
  readonly className = 'RootMeanSquaredError';
  readonly config: z.output<typeof RootMeanSquaredErrorConfig>;
  readonly name: string;

  constructor(config: z.input<typeof RootMeanSquaredErrorConfig> = {}) {
    super();
    this.config = parseConfig('RootMeanSquaredError', RootMeanSquaredErrorConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    const y = matchRank(this.name, yTrue, yPred);
    return tf.square(tf.sub(tf.cast(y, 'float32'), yPred));
  }

  protected override value(): tf.Scalar {
    return tf.sqrt(super.value());
  }
}
