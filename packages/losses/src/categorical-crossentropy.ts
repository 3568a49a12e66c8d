/**
 * CategoricalCrossentropy (Keras 3), over the class axis: lᵢ = -Σ_c y'c log qc, y' = y(1 - s) + s/C.
 * Probabilities: q = clip(p / Σp, ε, 1 - ε); with g = -y'·[ε ≤ q ≤ 1 - ε] / q, d lᵢ/dp = (g - Σ g·q) / Σp.
 * Logits: lᵢ = Σ_c y'c (logSumExp(z) - zc), d lᵢ/dz = softmax(z)·Σy' - y'.
 * Fused with softmax: d lᵢ/dz = p·Σy' - y' (= p - y' for targets summing to 1), exact unless a clip is hit.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLoss, EPSILON } from './base.js';

export const CategoricalCrossentropyConfig = configObject({
  /** yPred holds logits rather than probabilities. Default: false. */
  fromLogits: z.boolean().default(false),
  /** Mixes the targets with the uniform distribution: y(1 - s) + s/C. Default: 0. */
  labelSmoothing: z.number().min(0, { error: 'must be in [0, 1]' }).max(1, { error: 'must be in [0, 1]' }).default(0),
  /** The class axis. Default: -1. */
  axis: z.int().default(-1),
});
export type CategoricalCrossentropyConfig = z.input<typeof CategoricalCrossentropyConfig>;

/** -Σ y log q over `axis` for probabilities p (normalized, then clipped as Keras does). */
export function probabilityXent(y: tf.Tensor, p: tf.Tensor, axis: number): tf.Tensor {
  const q = tf.clipByValue(tf.div(p, tf.sum(p, axis, true)), EPSILON, 1 - EPSILON);
  return tf.neg(tf.sum(tf.mul(y, tf.log(q)), axis));
}

/** d/dp of probabilityXent. */
export function probabilityXentGrad(y: tf.Tensor, p: tf.Tensor, axis: number): tf.Tensor {
  const s = tf.sum(p, axis, true);
  const q = tf.div(p, s);
  const inside = tf.logicalAnd(tf.greaterEqual(q, EPSILON), tf.lessEqual(q, 1 - EPSILON));
  const g = tf.neg(tf.div(tf.mul(y, tf.cast(inside, 'float32')), tf.clipByValue(q, EPSILON, 1 - EPSILON)));
  return tf.div(tf.sub(g, tf.sum(tf.mul(g, q), axis, true)), s);
}

/** Σ y (logSumExp(z) - z) over `axis`, stable for any logits. */
export function logitXent(y: tf.Tensor, z: tf.Tensor, axis: number): tf.Tensor {
  return tf.sum(tf.mul(y, tf.sub(tf.logSumExp(z, axis, true), z)), axis);
}

/** d/dz of logitXent: softmax(z)·Σy - y. */
export function logitXentGrad(y: tf.Tensor, z: tf.Tensor, axis: number): tf.Tensor {
  const p = tf.exp(tf.sub(z, tf.logSumExp(z, axis, true)));
  return tf.sub(tf.mul(p, tf.sum(y, axis, true)), y);
}

/**
 * Cross-entropy between one-hot (or soft) targets and a distribution over classes.
 *
 * @example
 * const cce = new CategoricalCrossentropy({ labelSmoothing: 0.1 });
 * const loss = cce.value(oneHot, softmaxOutput);
 */
export class CategoricalCrossentropy extends BaseLoss<typeof CategoricalCrossentropyConfig> {
  readonly targets = 'categorical';

  constructor(config: CategoricalCrossentropyConfig = {}) {
    super('CategoricalCrossentropy', CategoricalCrossentropyConfig, config);
  }

  override get axis(): number {
    return this.config.axis;
  }

  private smooth(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const s = this.config.labelSmoothing;
    if (s === 0) return y;
    const axis = this.axis < 0 ? p.rank + this.axis : this.axis;
    return tf.add(tf.mul(y, 1 - s), s / (p.shape[axis] as number));
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const ys = this.smooth(y, p);
    return this.config.fromLogits ? logitXent(ys, p, this.axis) : probabilityXent(ys, p, this.axis);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const ys = this.smooth(y, p);
    return this.config.fromLogits ? logitXentGrad(ys, p, this.axis) : probabilityXentGrad(ys, p, this.axis);
  }

  protected override perExampleFused(activation: string, y: tf.Tensor, p: tf.Tensor): tf.Tensor | undefined {
    const lastAxis = this.axis === -1 || this.axis === p.rank - 1;
    if (activation !== 'softmax' || this.config.fromLogits || !lastAxis) return undefined;
    const ys = this.smooth(y, p);
    return tf.sub(tf.mul(p, tf.sum(ys, -1, true)), ys);
  }
}
