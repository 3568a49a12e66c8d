/**
 * Accuracy (exact match): vᵢ = [ yᵢ = ŷᵢ ] element by element, averaged over the epoch with sample
 * weights (Keras Accuracy). Labels and predictions are compared as they are, so predictions must
 * already be class ids or rounded values; the string 'accuracy' instead picks an accuracy by the loss.
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { MeanMetric, matchRank } from './metric.js';

export const AccuracyConfig = configObject({
  /** Logs key. Default: 'accuracy'. */
  name: z.string().min(1).default('accuracy'),
});

/**
 * Fraction of predictions exactly equal to their labels.
 * @example
 * const acc = new Accuracy();
 * acc.update(tf.tensor2d([[1], [2], [3], [4]]), tf.tensor2d([[0], [2], [3], [4]]));
 * await acc.result(); // 0.75
 */
export class Accuracy extends MeanMetric {
  readonly className = 'Accuracy';
  readonly config: z.output<typeof AccuracyConfig>;
  readonly name: string;

  constructor(config: z.input<typeof AccuracyConfig> = {}) {
    super();
    this.config = parseConfig('Accuracy', AccuracyConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    const y = matchRank(this.name, yTrue, yPred);
    return tf.equal(tf.cast(y, 'float32'), tf.cast(yPred, 'float32'));
  }
}
