/**
 * Subtract: y = x₀ − x₁ (axes of size 1 broadcast)
 * Backward: dx₀ = dy, dx₁ = −dy, each summed over the axes its input was broadcast along
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { Merge } from './merge.js';

export const SubtractConfig = configObject(baseConfig);
export type SubtractConfig = z.input<typeof SubtractConfig>;

/**
 * Subtracts the second of exactly 2 inputs from the first, elementwise (an axis of size 1 broadcasts).
 *
 * @example
 * const diff = new Subtract().apply([a, b]); // a − b
 */
export class Subtract extends Merge<typeof SubtractConfig, Record<string, never>> {
  override readonly arity = { min: 2, max: 2 };

  constructor(config: SubtractConfig = {}) {
    super('Subtract', SubtractConfig, config);
  }

  forward(xs: readonly tf.Tensor[], _opts?: ForwardOptions): { y: tf.Tensor; cache: Record<string, never> } {
    this.checkInputs(xs);
    return { y: tf.sub(xs[0] as tf.Tensor, xs[1] as tf.Tensor), cache: {} };
  }

  backward(dy: tf.Tensor, _cache: Record<string, never>) {
    this.checkGrad(dy);
    return { dxs: tf.tidy(() => [this.reduceTo(dy, 0), tf.neg(this.reduceTo(dy, 1))]), grads: {} };
  }
}
