/**
 * CosineSimilarity (Keras 3 `cosine_similarity`; the loss is minus the cosine): over `axis`,
 * x̂ = x / n(x) with n(x) = sqrt(max(Σx², ε²)), ε = 1e-7 (Keras' ops.normalize), and lₖ = -Σ ŷ·p̂,
 * from -1 (p along y) to 1 (p against y); 0 when either vector is zero.
 * Backward: d lₖ / d p = -(ŷ - [Σp² ≥ ε²]·(ŷ·p̂)·p̂) / n(p).
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLoss, EPSILON } from './base.js';

export const CosineSimilarityConfig = configObject({
  /** The axis the vectors lie along. Default: -1. */
  axis: z.int().default(-1),
});
export type CosineSimilarityConfig = z.input<typeof CosineSimilarityConfig>;

/** Σx² over `axis` (kept), and n(x) = sqrt(max(Σx², ε²)). */
function norm(x: tf.Tensor, axis: number): { squares: tf.Tensor; n: tf.Tensor } {
  const squares = tf.sum(tf.square(x), axis, true);
  return { squares, n: tf.sqrt(tf.maximum(squares, EPSILON * EPSILON)) };
}

/**
 * Minus the cosine of the angle between target and prediction: minimizing it aligns their directions,
 * whatever their lengths.
 *
 * @example
 * const cosine = new CosineSimilarity({ axis: -1 });
 * const loss = cosine.value(tf.tensor2d([[0, 1], [1, 1]]), tf.tensor2d([[1, 0], [1, 1]])); // (0 - 1) / 2
 */
export class CosineSimilarity extends BaseLoss<typeof CosineSimilarityConfig> {
  readonly targets = 'elementwise';

  constructor(config: CosineSimilarityConfig = {}) {
    super('CosineSimilarity', CosineSimilarityConfig, config);
  }

  override get axis(): number {
    return this.config.axis;
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const axis = this.axis;
    const yHat = tf.div(y, norm(y, axis).n);
    return tf.neg(tf.sum(tf.mul(yHat, tf.div(p, norm(p, axis).n)), axis));
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const axis = this.axis;
    const yHat = tf.div(y, norm(y, axis).n);
    const { squares, n } = norm(p, axis);
    const pHat = tf.div(p, n);
    const unclipped = tf.cast(tf.greaterEqual(squares, EPSILON * EPSILON), 'float32');
    const along = tf.mul(tf.mul(tf.sum(tf.mul(yHat, pHat), axis, true), unclipped), pHat);
    return tf.neg(tf.div(tf.sub(yHat, along), n));
  }
}
