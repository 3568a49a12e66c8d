/**
 * Huber (Keras 3): with e = p - y, lᵢ = mean_c h(eᵢc), h(e) = ½e² if |e| ≤ δ else δ|e| - ½δ²
 * Backward: d lᵢ / d pᵢc = clip(eᵢc, -δ, δ) / C
 * Computed as ½q² + δ(|e| - q) with q = min(|e|, δ), the same function without a branch.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLoss } from './base.js';

export const HuberConfig = configObject({
  /** Where the loss turns from quadratic to linear. Default: 1.0. */
  delta: z.number({ error: 'must be a number' }).positive({ error: 'must be positive' }).default(1),
});
export type HuberConfig = z.input<typeof HuberConfig>;

/**
 * Quadratic for small errors, linear for large ones: MSE's smoothness with MAE's tolerance of outliers.
 *
 * @example
 * const huber = new Huber({ delta: 1 });
 * const loss = huber.value(yTrue, yPred); // errors 0.5 and 2 give 0.125 and 1.5
 */
export class Huber extends BaseLoss<typeof HuberConfig> {
  readonly targets = 'elementwise';

  constructor(config: HuberConfig = {}) {
    super('Huber', HuberConfig, config);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const { delta } = this.config;
    const a = tf.abs(tf.sub(p, y));
    const q = tf.minimum(a, delta);
    return tf.mean(tf.add(tf.mul(0.5, tf.square(q)), tf.mul(delta, tf.sub(a, q))), -1);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const { delta } = this.config;
    return tf.mul(tf.clipByValue(tf.sub(p, y), -delta, delta), 1 / (p.shape[p.rank - 1] as number));
  }
}
