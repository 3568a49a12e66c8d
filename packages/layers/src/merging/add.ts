/**
 * Add: y = x₀ + x₁ + … + xₙ₋₁ (axes of size 1 broadcast)
 * Backward: dxᵢ = dy, summed over the axes xᵢ was broadcast along
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { Merge } from './merge.js';

export const AddConfig = configObject(baseConfig);
export type AddConfig = z.input<typeof AddConfig>;

/**
 * Adds 2 or more inputs of one shape elementwise (an axis of size 1 broadcasts), as in residual connections.
 *
 * @example
 * const sum = new Add().apply([a, b]); // a, b: [8] → sum: [8]
 */
export class Add extends Merge<typeof AddConfig, Record<string, never>> {
  constructor(config: AddConfig = {}) {
    super('Add', AddConfig, config);
  }

  forward(xs: readonly tf.Tensor[], _opts?: ForwardOptions): { y: tf.Tensor; cache: Record<string, never> } {
    this.checkInputs(xs);
    const y = tf.tidy(() => xs.slice(1).reduce((sum, x) => tf.add(sum, x), xs[0] as tf.Tensor));
    return { y, cache: {} };
  }

  backward(dy: tf.Tensor, _cache: Record<string, never>) {
    this.checkGrad(dy);
    return { dxs: tf.tidy(() => this.inputShapes.map((_, i) => this.reduceTo(dy, i))), grads: {} };
  }
}
