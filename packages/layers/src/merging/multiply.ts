/**
 * Multiply: y = x₀ ⊙ x₁ ⊙ … ⊙ xₙ₋₁ (axes of size 1 broadcast)
 * Backward: dxᵢ = dy ⊙ Πⱼ≠ᵢ xⱼ, summed over the axes xᵢ was broadcast along
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { Merge } from './merge.js';

export const MultiplyConfig = configObject(baseConfig);
export type MultiplyConfig = z.input<typeof MultiplyConfig>;

interface MultiplyCache {
  xs: readonly tf.Tensor[];
}

/** The product of all tensors, or undefined for none. */
const product = (ts: readonly tf.Tensor[]) =>
  ts.reduce<tf.Tensor | undefined>((p, t) => (p ? tf.mul(p, t) : t), undefined);

/**
 * Multiplies 2 or more inputs of one shape elementwise (an axis of size 1 broadcasts), as in gating.
 *
 * @example
 * const gated = new Multiply().apply([features, gate]);
 */
export class Multiply extends Merge<typeof MultiplyConfig, MultiplyCache> {
  constructor(config: MultiplyConfig = {}) {
    super('Multiply', MultiplyConfig, config);
  }

  forward(xs: readonly tf.Tensor[], _opts?: ForwardOptions): { y: tf.Tensor; cache: MultiplyCache } {
    this.checkInputs(xs);
    return { y: tf.tidy(() => product(xs) as tf.Tensor), cache: { xs: [...xs] } };
  }

  backward(dy: tf.Tensor, { xs }: MultiplyCache) {
    this.checkGrad(dy);
    // The product of the others, not y / xᵢ: exact where an input is 0.
    const dxs = tf.tidy(() =>
      xs.map((_, i) => this.reduceTo(product([dy, ...xs.filter((_, j) => j !== i)]) as tf.Tensor, i)),
    );
    return { dxs, grads: {} };
  }
}
