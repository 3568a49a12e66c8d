/**
 * MeanAbsolutePercentageError metric: vᵢ = 100 · mean over the last axis of |y - ŷ| / max(|y|, ε),
 * ε = 1e-7, averaged over the epoch with sample weights (Keras MeanAbsolutePercentageError). A label
 * of 0 divides by ε, so it weighs 10⁹ per unit of error, as in Keras.
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { MeanMetric, matchRank } from './metric.js';

const EPSILON = 1e-7;

export const MeanAbsolutePercentageErrorConfig = configObject({
  /** Logs key. Default: 'mean_absolute_percentage_error' ('mape' when asked for by that name). */
  name: z.string().min(1).default('mean_absolute_percentage_error'),
});

/**
 * Whole-epoch mean absolute percentage error 100·|y - ŷ| / |y|.
 * @example
 * const m = new MeanAbsolutePercentageError({ name: 'mape' });
 * m.update(tf.tensor2d([[2], [4]]), tf.tensor2d([[1], [5]]));
 * await m.result(); // 37.5
 */
export class MeanAbsolutePercentageError extends MeanMetric {
  readonly className = 'MeanAbsolutePercentageError';
  readonly config: z.output<typeof MeanAbsolutePercentageErrorConfig>;
  readonly name: string;

  constructor(config: z.input<typeof MeanAbsolutePercentageErrorConfig> = {}) {
    super();
    this.config = parseConfig('MeanAbsolutePercentageError', MeanAbsolutePercentageErrorConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    const y = tf.cast(matchRank(this.name, yTrue, yPred), 'float32');
    const relative = tf.div(tf.abs(tf.sub(y, yPred)), tf.maximum(tf.abs(y), EPSILON));
    // Labels shaped [N] are N examples of one value each (Keras would average the batch into one).
    return tf.mul(100, relative.rank > 1 ? tf.mean(relative, -1) : relative);
  }
}
