/**
 * Sparse top-k categorical accuracy: vᵢ = [ #{c : ŷᵢc > ŷᵢ,yᵢ} < k ] with integer labels yᵢ (shape [N]
 * or [N, 1]), averaged over the epoch with sample weights (Keras SparseTopKCategoricalAccuracy). With
 * fromSortedIds, ŷᵢ lists class ids best first and vᵢ = [ yᵢ ∈ ŷᵢ,₀..ₖ₋₁ ].
 */
import { BrickError, configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { MeanMetric } from './metric.js';
import { inTopK, scoreRows } from './top-k-categorical-accuracy.js';

export const SparseTopKCategoricalAccuracyConfig = configObject({
  /** Logs key. Default: 'sparse_top_k_categorical_accuracy'. */
  name: z.string().min(1).default('sparse_top_k_categorical_accuracy'),
  /** How many of the highest scores may hold the label. Default: 5. */
  k: z.int().positive().default(5),
  /** Predictions are class ids sorted best first, not scores of every class. Default: false. */
  fromSortedIds: z.boolean().default(false),
});

/**
 * Fraction of examples whose integer label is among the k highest-scoring classes.
 * @example
 * const acc = new SparseTopKCategoricalAccuracy({ k: 1 });
 * acc.update(tf.tensor1d([2, 1]), tf.tensor2d([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]));
 * await acc.result(); // 0.5
 */
export class SparseTopKCategoricalAccuracy extends MeanMetric {
  readonly className = 'SparseTopKCategoricalAccuracy';
  readonly config: z.output<typeof SparseTopKCategoricalAccuracyConfig>;
  readonly name: string;

  constructor(config: z.input<typeof SparseTopKCategoricalAccuracyConfig> = {}) {
    super();
    this.config = parseConfig('SparseTopKCategoricalAccuracy', SparseTopKCategoricalAccuracyConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    const outer = yPred.shape.slice(0, -1);
    const outerSize = outer.reduce((a, b) => a * b, 1);
    if (yTrue.size !== outerSize || yTrue.shape[0] !== yPred.shape[0]) {
      throw new BrickError(
        `${this.name}: integer labels must have shape [${outer.join(', ')}] or [${[...outer, 1].join(', ')}] for predictions [${yPred.shape.join(', ')}], received [${yTrue.shape.join(', ')}]`,
        this.name,
      );
    }
    const rows = scoreRows(this.name, yPred);
    const labels = tf.reshape(tf.cast(yTrue, 'int32'), [-1]);
    const { k, fromSortedIds } = this.config;
    const hits = fromSortedIds ? this.inSortedIds(labels, rows, k) : inTopK(labels, rows, k);
    return tf.reshape(hits, outer);
  }

  /** Whether each label is one of the first k ids of its row. */
  private inSortedIds(labels: tf.Tensor, ids: tf.Tensor, k: number): tf.Tensor {
    const [m, n] = ids.shape as [number, number];
    const first = tf.cast(tf.slice(ids, [0, 0], [m, Math.min(k, n)]), 'int32');
    return tf.any(tf.equal(first, tf.reshape(labels, [m, 1])), 1);
  }
}
