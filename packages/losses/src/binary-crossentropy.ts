/**
 * BinaryCrossentropy (Keras 3): y' = y(1 - s) + s/2, lᵢ = mean_c bce(y'c, pc).
 * Probabilities: q = clip(p, ε, 1 - ε), bce = -(y' log q + (1 - y') log(1 - q)), d bce/dp = [ε ≤ p ≤ 1 - ε](q - y') / (q(1 - q)).
 * Logits: bce = max(z, 0) - z·y' + log(1 + e^-|z|) (softplus form, stable), d bce/dz = σ(z) - y'.
 * Fused with sigmoid: d lᵢ/dz = (p - y') / C, exact unless p is clipped (|z| ≳ 16 in float32).
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLoss, EPSILON } from './base.js';

export const BinaryCrossentropyConfig = configObject({
  /** yPred holds logits rather than probabilities. Default: false. */
  fromLogits: z.boolean().default(false),
  /** Pulls the targets toward ½: y(1 - s) + s/2. Default: 0. */
  labelSmoothing: z.number().min(0, { error: 'must be in [0, 1]' }).max(1, { error: 'must be in [0, 1]' }).default(0),
});
export type BinaryCrossentropyConfig = z.input<typeof BinaryCrossentropyConfig>;

/**
 * Cross-entropy of independent yes/no targets, one per output unit (mean over the last axis).
 *
 * @example
 * const bce = new BinaryCrossentropy({ fromLogits: true });
 * const loss = bce.value(tf.tensor2d([[1], [0]]), tf.tensor2d([[2.1], [-0.4]]));
 */
export class BinaryCrossentropy extends BaseLoss<typeof BinaryCrossentropyConfig> {
  readonly targets = 'elementwise';

  constructor(config: BinaryCrossentropyConfig = {}) {
    super('BinaryCrossentropy', BinaryCrossentropyConfig, config);
  }

  private smooth(y: tf.Tensor): tf.Tensor {
    const s = this.config.labelSmoothing;
    return s === 0 ? y : tf.add(tf.mul(y, 1 - s), s / 2);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const ys = this.smooth(y);
    if (this.config.fromLogits) {
      const softplusNegAbs = tf.log1p(tf.exp(tf.neg(tf.abs(p))));
      return tf.mean(tf.add(tf.sub(tf.relu(p), tf.mul(p, ys)), softplusNegAbs), -1);
    }
    const q = tf.clipByValue(p, EPSILON, 1 - EPSILON);
    const ll = tf.add(tf.mul(ys, tf.log(q)), tf.mul(tf.sub(1, ys), tf.log(tf.sub(1, q))));
    return tf.neg(tf.mean(ll, -1));
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const ys = this.smooth(y);
    const perClass = 1 / (p.shape[p.rank - 1] as number);
    if (this.config.fromLogits) return tf.mul(tf.sub(tf.sigmoid(p), ys), perClass);
    const q = tf.clipByValue(p, EPSILON, 1 - EPSILON);
    const inside = tf.cast(tf.logicalAnd(tf.greaterEqual(p, EPSILON), tf.lessEqual(p, 1 - EPSILON)), 'float32');
    const d = tf.div(tf.sub(q, ys), tf.mul(q, tf.sub(1, q)));
    return tf.mul(tf.mul(d, inside), perClass);
  }

  protected override perExampleFused(activation: string, y: tf.Tensor, p: tf.Tensor): tf.Tensor | undefined {
    if (activation !== 'sigmoid' || this.config.fromLogits) return undefined;
    return tf.mul(tf.sub(p, this.smooth(y)), 1 / (p.shape[p.rank - 1] as number));
  }
}
