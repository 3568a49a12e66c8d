/**
 * Confusion counts at one threshold, over the flattened predictions (Keras' default for one-hot
 * multi-class outputs): tp += Σ w·[y≠0]·[ŷ>t], fp += Σ w·[y=0]·[ŷ>t], fn += Σ w·[y≠0]·[ŷ≤t], with
 * each example's weight w broadcast over its elements. Precision = tp/(tp+fp), recall = tp/(tp+fn).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Metric } from '../types.js';
import { broadcastWeight, checkSameShape } from './metric.js';

export abstract class ConfusionMetric implements Metric {
  abstract readonly name: string;
  protected abstract readonly threshold: number;
  protected readonly tp = tf.variable(tf.scalar(0), false);
  protected readonly fp = tf.variable(tf.scalar(0), false);
  protected readonly fn = tf.variable(tf.scalar(0), false);

  /** The ratio read by result(), from the counts; called inside a tidy. */
  protected abstract ratio(): tf.Scalar;

  update(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): void {
    checkSameShape(this.name, yTrue, yPred);
    tf.tidy(() => {
      const w = broadcastWeight(this.name, yPred, sampleWeight);
      const positive = tf.cast(tf.notEqual(yTrue, 0), 'float32');
      const predicted = tf.cast(tf.greater(yPred, this.threshold), 'float32');
      const wp = tf.mul(w, predicted);
      this.tp.assign(tf.add(this.tp, tf.sum(tf.mul(wp, positive))));
      this.fp.assign(tf.add(this.fp, tf.sum(tf.mul(wp, tf.sub(1, positive)))));
      this.fn.assign(tf.add(this.fn, tf.sum(tf.mul(tf.mul(w, tf.sub(1, predicted)), positive))));
    });
  }

  async result(): Promise<number> {
    const r = tf.tidy(() => this.ratio());
    const [value] = await r.data();
    r.dispose();
    return value as number;
  }

  reset(): void {
    tf.tidy(() => {
      for (const v of [this.tp, this.fp, this.fn]) v.assign(tf.zerosLike(v));
    });
  }

  dispose(): void {
    tf.dispose([this.tp, this.fp, this.fn]);
  }
}
