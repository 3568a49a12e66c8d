/**
 * Binary accuracy: vᵢ = mean over the last axis of [ (ŷ > threshold) = y ], averaged over the epoch
 * with sample weights (Keras BinaryAccuracy).
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { checkSameShape, MeanMetric } from './metric.js';

export const BinaryAccuracyConfig = configObject({
  /** Logs key. Default: 'binary_accuracy'. */
  name: z.string().min(1).default('binary_accuracy'),
  /** A prediction above it counts as 1. Default: 0.5. */
  threshold: z.number().default(0.5),
});
export type BinaryAccuracyConfig = z.output<typeof BinaryAccuracyConfig>;

/**
 * Fraction of binary predictions that match their labels.
 * @example
 * const acc = new BinaryAccuracy();
 * acc.update(tf.tensor2d([[1], [0]]), tf.tensor2d([[0.8], [0.6]]));
 * await acc.result(); // 0.5
 */
export class BinaryAccuracy extends MeanMetric {
  readonly className = 'BinaryAccuracy';
  readonly config: BinaryAccuracyConfig;
  readonly name: string;

  constructor(config: z.input<typeof BinaryAccuracyConfig> = {}) {
    super();
    this.config = parseConfig('BinaryAccuracy', BinaryAccuracyConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    checkSameShape(this.name, yTrue, yPred);
    const hit = tf.equal(tf.cast(tf.greater(yPred, this.config.threshold), 'float32'), tf.cast(yTrue, 'float32'));
    return tf.mean(tf.cast(hit, 'float32'), -1);
  }
}
