/**
 * Streaming weighted mean: total += Σᵢ wᵢ·vᵢ, count += Σᵢ wᵢ over every batch of the epoch, result =
 * total / count (0 before any update). vᵢ is a per-example value (per-position for sequences), and wᵢ
 * the sample weight broadcast over it, so the result is the whole-epoch mean, not a mean of batch means.
 */
import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Metric } from '../types.js';

/** Sample weights [N] reshaped to [N, 1, ...] so they broadcast over `like` (rank ≥ 1). */
export function broadcastWeight(who: string, like: tf.Tensor, sampleWeight?: tf.Tensor1D): tf.Tensor {
  if (sampleWeight === undefined) return tf.onesLike(like);
  if (sampleWeight.rank !== 1 || sampleWeight.shape[0] !== like.shape[0]) {
    throw new BrickError(
      `${who}: sampleWeight must have shape [${like.shape[0]}] (one weight per example), received [${sampleWeight.shape.join(', ')}]`,
      who,
    );
  }
  const shape = [sampleWeight.shape[0] as number, ...like.shape.slice(1).map(() => 1)];
  return tf.mul(tf.onesLike(like), tf.reshape(tf.cast(sampleWeight, 'float32'), shape));
}

export function checkSameShape(who: string, yTrue: tf.Tensor, yPred: tf.Tensor): void {
  const a = yTrue.shape.join(', ');
  const b = yPred.shape.join(', ');
  if (a !== b)
    throw new BrickError(`${who}: yTrue and yPred must have the same shape, received [${a}] and [${b}]`, who);
}

/** Base of the metrics that average a per-example value: accuracies, mse, mae. */
export abstract class MeanMetric implements Metric {
  abstract readonly name: string;
  protected readonly total = tf.variable(tf.scalar(0), false);
  protected readonly count = tf.variable(tf.scalar(0), false);

  /** Per-example values, shaped [N] or [N, ...]; called inside a tidy. */
  protected abstract values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;

  update(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): void {
    tf.tidy(() => {
      const v = tf.cast(this.values(yTrue, yPred), 'float32');
      const w = broadcastWeight(this.name, v, sampleWeight);
      this.total.assign(tf.add(this.total, tf.sum(tf.mul(v, w))));
      this.count.assign(tf.add(this.count, tf.sum(w)));
    });
  }

  async result(): Promise<number> {
    const r = tf.tidy(() => tf.divNoNan(this.total, this.count));
    const [value] = await r.data();
    r.dispose();
    return value as number;
  }

  reset(): void {
    tf.tidy(() => {
      this.total.assign(tf.zerosLike(this.total));
      this.count.assign(tf.zerosLike(this.count));
    });
  }

  dispose(): void {
    this.total.dispose();
    this.count.dispose();
  }
}
