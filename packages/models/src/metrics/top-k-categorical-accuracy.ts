/**
 * Top-k categorical accuracy: vᵢ = [ #{c : ŷᵢc > ŷᵢ,yᵢ} < k ] with yᵢ = argmax of the one-hot label:
 * the label's score ranks among the k highest (ties count in its favour, a NaN score never does),
 * averaged over the epoch with sample weights (Keras TopKCategoricalAccuracy, its in_top_k).
 */
import { BrickError, configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { checkSameShape, MeanMetric } from './metric.js';

export const TopKCategoricalAccuracyConfig = configObject({
  /** Logs key. Default: 'top_k_categorical_accuracy'. */
  name: z.string().min(1).default('top_k_categorical_accuracy'),
  /** How many of the highest scores may hold the label. Default: 5. */
  k: z.int().positive().default(5),
});

/**
 * Whether each integer label's score is among the k highest of its row: labels [M], scores [M, C],
 * returns a boolean [M]. Called inside a tidy.
 */
export function inTopK(labels: tf.Tensor, scores: tf.Tensor, k: number): tf.Tensor {
  const [m, c] = scores.shape as [number, number];
  // The label's score picked by a mask, not gather (wasm's batched gather reads out of bounds).
  const isLabel = tf.equal(
    tf.reshape(tf.range(0, c, 1, 'int32'), [1, c]),
    tf.reshape(tf.cast(labels, 'int32'), [m, 1]),
  );
  const atLabel = tf.sum(tf.where(isLabel, scores, tf.zerosLike(scores)), -1, true); // [M, 1]
  const higher = tf.sum(tf.cast(tf.greater(scores, atLabel), 'int32'), -1);
  return tf.logicalAnd(tf.less(higher, k), tf.logicalNot(tf.isNaN(tf.reshape(atLabel, [m]))));
}

/** Scores [..., C] as rows [M, C], with a named error for a rank below 2. */
export function scoreRows(who: string, yPred: tf.Tensor): tf.Tensor {
  if (yPred.rank < 2) {
    throw new BrickError(`${who}: predictions must be scores shaped [N, C], received [${yPred.shape.join(', ')}]`, who);
  }
  return tf.reshape(yPred, [-1, yPred.shape[yPred.rank - 1] as number]);
}

/**
 * Fraction of examples whose one-hot label is among the k highest-scoring classes.
 * @example
 * const acc = new TopKCategoricalAccuracy({ k: 1 });
 * acc.update(tf.tensor2d([[0, 0, 1], [0, 1, 0]]), tf.tensor2d([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]));
 * await acc.result(); // 0.5
 */
export class TopKCategoricalAccuracy extends MeanMetric {
  readonly className = 'TopKCategoricalAccuracy';
  readonly config: z.output<typeof TopKCategoricalAccuracyConfig>;
  readonly name: string;

  constructor(config: z.input<typeof TopKCategoricalAccuracyConfig> = {}) {
    super();
    this.config = parseConfig('TopKCategoricalAccuracy', TopKCategoricalAccuracyConfig, config);
    this.name = this.config.name;
  }

  protected values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
    checkSameShape(this.name, yTrue, yPred);
    const hits = inTopK(tf.argMax(scoreRows(this.name, yTrue), -1), scoreRows(this.name, yPred), this.config.k);
    return tf.reshape(hits, yPred.shape.slice(0, -1));
  }
}
