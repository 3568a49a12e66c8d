/**
 * Minimum: y = min(x₀, x₁, …, xₙ₋₁) elementwise (axes of size 1 broadcast)
 * Backward: dxᵢ = dy ⊙ [xᵢ is the first input equal to y], summed over the axes xᵢ was broadcast along
 * (ties go to the first input holding the minimum, as tfjs autodiff of chained tf.minimum gives)
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { firstHolders, Merge } from './merge.js';

export const MinimumConfig = configObject(baseConfig);
export type MinimumConfig = z.input<typeof MinimumConfig>;

interface MinimumCache {
  xs: readonly tf.Tensor[];
  y: tf.Tensor;
}

/**
 * The elementwise minimum of 2 or more inputs of one shape (an axis of size 1 broadcasts).
 *
 * @example
 * const bottom = new Minimum().apply([a, b]);
 */
export class Minimum extends Merge<typeof MinimumConfig, MinimumCache> {
  constructor(config: MinimumConfig = {}) {
    super('Minimum', MinimumConfig, config);
  }

  forward(xs: readonly tf.Tensor[], _opts?: ForwardOptions): { y: tf.Tensor; cache: MinimumCache } {
    this.checkInputs(xs);
    const y = tf.tidy(() => xs.slice(1).reduce((m, x) => tf.minimum(m, x), xs[0] as tf.Tensor));
    return { y, cache: { xs: [...xs], y } };
  }

  backward(dy: tf.Tensor, { xs, y }: MinimumCache) {
    this.checkGrad(dy);
    const dxs = tf.tidy(() => firstHolders(xs, y).map((mask, i) => this.reduceTo(tf.mul(dy, mask), i)));
    return { dxs, grads: {} };
  }
}
