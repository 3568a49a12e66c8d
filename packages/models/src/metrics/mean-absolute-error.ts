/**
 * MeanAbsoluteError metric: vᵢ = mean over the last axis of the absolute error |y - ŷ|, averaged over the epoch
 * with sample weights (Keras MeanAbsoluteError metric).
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { checkSameShape, MeanMetric } from './metric.js';

export const MeanAbsoluteErrorConfig = configObject({
  /** Logs key. Default: 'mean_absolute_error' ('mae' when asked for by that name). */
  name: z.string().min(1).default('mean_absolute_error'),
});

/**
 * Whole-epoch mean absolute error |y - ŷ|.
 * @example
 * const m = new MeanAbsoluteError({ name: 'mae' });
 * m.update(tf.tensor2d([[1], [0]]), tf.tensor2d([[0.5], [0]]));
 * await m.result(); // 0.25
 */
export class MeanAbsoluteError extends MeanMetric {
  readonly className = 'MeanAbsoluteError';
  readonly config: z.output<typeof MeanAbsoluteErrorConfig>;
  readonly name: string;

  constructor(config: z.input<typeof MeanAbsoluteErrorConfig> = {}) {
    super();
    this.config = parseConfig('MeanAbsoluteError', MeanAbsoluteErrorConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    checkSameShape(this.name, yTrue, yPred);
    return tf.mean(tf.abs(tf.sub(tf.cast(yTrue, 'float32'), yPred)), -1);
  }
}
