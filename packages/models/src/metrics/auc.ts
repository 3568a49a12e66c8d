/**
 * ROC AUC from confusion counts at T thresholds t₀ = -ε, tₖ = k/(T-1), t_{T-1} = 1+ε (Keras AUC):
 * tpₖ += Σ w·[y≠0]·[ŷ>tₖ], fpₖ += Σ w·[y=0]·[ŷ>tₖ], likewise fnₖ, tnₖ, over flattened predictions
 * clipped to [0, 1] (ŷ = sigmoid(logit) first with fromLogits). With TPRₖ = tpₖ/(tpₖ+fnₖ), FPRₖ = fpₖ/(fpₖ+tnₖ):
 * AUC = Σₖ (FPRₖ - FPRₖ₊₁)·(TPRₖ + TPRₖ₊₁)/2 (Riemann sum, trapezoid interpolation).
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Metric } from '../types.js';
import { accumulator, broadcastWeight, checkSameShape, readAll } from './metric.js';

const EPSILON = 1e-7;

export const AUCConfig = configObject({
  /** Logs key. Default: 'auc'. */
  name: z.string().min(1).default('auc'),
  /** Number of thresholds splitting [0, 1]. Default: 200 (Keras). */
  numThresholds: z.int().min(2).default(200),
  /** Predictions are logits, put through a sigmoid before the thresholds. Default: false. */
  fromLogits: z.boolean().default(false),
});

/** Keras' evenly spaced thresholds, with the ends nudged out so 0 and 1 fall inside. */
export function aucThresholds(numThresholds: number): number[] {
  const inner = Array.from({ length: numThresholds - 2 }, (_, i) => (i + 1) / (numThresholds - 1));
  return [-EPSILON, ...inner, 1 + EPSILON];
}

/**
 * Area under the ROC curve, approximated on a fixed grid of thresholds and streamed over the epoch.
 * @example
 * const auc = new AUC();
 * auc.update(tf.tensor1d([0, 0, 1, 1]), tf.tensor1d([0.1, 0.4, 0.35, 0.8]));
 * await auc.result(); // ≈ 0.75
 */
export class AUC implements Metric {
  readonly className = 'AUC';
  readonly config: z.output<typeof AUCConfig>;
  readonly name: string;
  private readonly thresholds: tf.Tensor2D;
  private readonly counts: Record<'tp' | 'fp' | 'tn' | 'fn', tf.Variable>;

  constructor(config: z.input<typeof AUCConfig> = {}) {
    this.config = parseConfig('AUC', AUCConfig, config);
    this.name = this.config.name;
    const t = this.config.numThresholds;
    this.thresholds = tf.tensor2d(aucThresholds(t), [1, t]);
    this.counts = { tp: accumulator([t]), fp: accumulator([t]), tn: accumulator([t]), fn: accumulator([t]) };
  }

  update(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void {
    checkSameShape(this.name, yTrue, yPred);
    tf.tidy(() => {
      const w = tf.reshape(broadcastWeight(this.name, yPred, sampleWeight), [-1, 1]);
      const y = tf.reshape(tf.cast(tf.notEqual(yTrue, 0), 'float32'), [-1, 1]);
      const probabilities = this.config.fromLogits ? tf.sigmoid(yPred) : yPred;
      const p = tf.reshape(tf.clipByValue(probabilities, 0, 1), [-1, 1]);
      const above = tf.cast(tf.greater(p, this.thresholds), 'float32'); // [M, T]
      const below = tf.sub(1, above);
      const pos = tf.mul(w, y);
      const neg = tf.mul(w, tf.sub(1, y));
      const { tp, fp, tn, fn } = this.counts;
      tp.assign(tf.add(tp, tf.sum(tf.mul(above, pos), 0)));
      fp.assign(tf.add(fp, tf.sum(tf.mul(above, neg), 0)));
      tn.assign(tf.add(tn, tf.sum(tf.mul(below, neg), 0)));
      fn.assign(tf.add(fn, tf.sum(tf.mul(below, pos), 0)));
    });
  }

  async result(): Promise<number> {
    const [value] = await readAll(() => {
      const { tp, fp, tn, fn } = this.counts;
      const t = this.config.numThresholds;
      const tpr = tf.divNoNan(tp, tf.add(tp, fn));
      const fpr = tf.divNoNan(fp, tf.add(fp, tn));
      const width = tf.sub(tf.slice(fpr, 0, t - 1), tf.slice(fpr, 1, t - 1));
      const height = tf.div(tf.add(tf.slice(tpr, 0, t - 1), tf.slice(tpr, 1, t - 1)), 2);
      return tf.sum(tf.mul(width, height));
    });
    return value as number;
  }

  reset(): void {
    tf.tidy(() => {
      for (const v of Object.values(this.counts)) v.assign(tf.zerosLike(v));
    });
  }

  dispose(): void {
    tf.dispose([this.thresholds, ...Object.values(this.counts)]);
  }
}
