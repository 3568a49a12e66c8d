/**
 * Maximum: y = max(x₀, x₁, …, xₙ₋₁) elementwise (axes of size 1 broadcast)
 * Backward: dxᵢ = dy ⊙ [xᵢ is the first input equal to y], summed over the axes xᵢ was broadcast along
 * (ties go to the first input holding the maximum, as tfjs autodiff of chained tf.maximum gives)
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { firstHolders, Merge } from './merge.js';

export const MaximumConfig = configObject(baseConfig);
export type MaximumConfig = z.input<typeof MaximumConfig>;

interface MaximumCache {
  xs: readonly tf.Tensor[];
  y: tf.Tensor;
}

/**
 * The elementwise maximum of 2 or more inputs of one shape (an axis of size 1 broadcasts).
 *
 * @example
 * const top = new Maximum().apply([a, b]);
 */
export class Maximum extends Merge<typeof MaximumConfig, MaximumCache> {
  constructor(config: MaximumConfig = {}) {
    super('Maximum', MaximumConfig, config);
  }

  forward(xs: readonly tf.Tensor[], _opts?: ForwardOptions): { y: tf.Tensor; cache: MaximumCache } {
    this.checkInputs(xs);
    const y = tf.tidy(() => xs.slice(1).reduce((m, x) => tf.maximum(m, x), xs[0] as tf.Tensor));
    return { y, cache: { xs: [...xs], y } };
  }

  backward(dy: tf.Tensor, { xs, y }: MaximumCache) {
    this.checkGrad(dy);
    const dxs = tf.tidy(() => firstHolders(xs, y).map((mask, i) => this.reduceTo(tf.mul(dy, mask), i)));
    return { dxs, grads: {} };
  }
}
