/**
 * Categorical accuracy: vᵢ = [ argmax ŷᵢ = argmax yᵢ ] over the last axis (one-hot labels), averaged over
 * the epoch with sample weights (Keras CategoricalAccuracy).
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { checkSameShape, MeanMetric } from './metric.js';

export const CategoricalAccuracyConfig = configObject({
  /** Logs key. Default: 'categorical_accuracy'. */
  name: z.string().min(1).default('categorical_accuracy'),
});

/**
 * Fraction of examples whose highest-scoring class is the one-hot label's class.
 * @example
 * const acc = new CategoricalAccuracy();
 * acc.update(tf.tensor2d([[0, 1], [1, 0]]), tf.tensor2d([[0.2, 0.8], [0.3, 0.7]]));
 * await acc.result(); // 0.5
 */
export class CategoricalAccuracy extends MeanMetric {
  readonly className = 'CategoricalAccuracy';
  readonly config: z.output<typeof CategoricalAccuracyConfig>;
  readonly name: string;

  constructor(config: z.input<typeof CategoricalAccuracyConfig> = {}) {
    super();
    this.config = parseConfig('CategoricalAccuracy', CategoricalAccuracyConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    checkSameShape(this.name, yTrue, yPred);
    return tf.equal(tf.argMax(yTrue, -1), tf.argMax(yPred, -1));
  }
}
