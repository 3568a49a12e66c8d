/**
 * Sparse categorical accuracy: vᵢ = [ argmax ŷᵢ = yᵢ ] with integer labels yᵢ (shape [N] or [N, 1]),
 * averaged over the epoch with sample weights (Keras SparseCategoricalAccuracy).
 */
import { BrickError, configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { MeanMetric } from './metric.js';

export const SparseCategoricalAccuracyConfig = configObject({
  /** Logs key. Default: 'sparse_categorical_accuracy'. */
  name: z.string().min(1).default('sparse_categorical_accuracy'),
});

/**
 * Fraction of examples whose highest-scoring class equals the integer label.
 * @example
 * const acc = new SparseCategoricalAccuracy();
 * acc.update(tf.tensor1d([1, 0]), tf.tensor2d([[0.2, 0.8], [0.3, 0.7]]));
 * await acc.result(); // 0.5
 */
export class SparseCategoricalAccuracy extends MeanMetric {
  readonly className = 'SparseCategoricalAccuracy';
  readonly config: z.output<typeof SparseCategoricalAccuracyConfig>;
  readonly name: string;

  constructor(config: z.input<typeof SparseCategoricalAccuracyConfig> = {}) {
    super();
    this.config = parseConfig('SparseCategoricalAccuracy', SparseCategoricalAccuracyConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    const outer = yPred.shape.slice(0, -1);
    const labelSize = yTrue.size;
    const outerSize = outer.reduce((a, b) => a * b, 1);
    if (labelSize !== outerSize || yTrue.shape[0] !== yPred.shape[0]) {
      throw new BrickError(
        `${this.name}: integer labels must have shape [${outer.join(', ')}] or [${[...outer, 1].join(', ')}] for predictions [${yPred.shape.join(', ')}], received [${yTrue.shape.join(', ')}]`,
        this.name,
      );
    }
    const labels = tf.reshape(tf.cast(yTrue, 'int32'), outer);
    return tf.equal(labels, tf.cast(tf.argMax(yPred, -1), 'int32'));
  }
}
