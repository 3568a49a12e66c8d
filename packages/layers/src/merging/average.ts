/**
 * Average: y = (x₀ + x₁ + … + xₙ₋₁) / n (axes of size 1 broadcast)
 * Backward: dxᵢ = dy / n, summed over the axes xᵢ was broadcast along
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { Merge } from './merge.js';

export const AverageConfig = configObject(baseConfig);
export type AverageConfig = z.input<typeof AverageConfig>;

/**
 * Averages 2 or more inputs of one shape elementwise (an axis of size 1 broadcasts).
 *
 * @example
 * const mean = new Average().apply([a, b, c]); // (a + b + c) / 3
 */
export class Average extends Merge<typeof AverageConfig, Record<string, never>> {
  constructor(config: AverageConfig = {}) {
    super('Average', AverageConfig, config);
  }

  forward(xs: readonly tf.Tensor[], _opts?: ForwardOptions): { y: tf.Tensor; cache: Record<string, never> } {
    this.checkInputs(xs);
    const y = tf.tidy(() =>
      tf.div(
        xs.slice(1).reduce((sum, x) => tf.add(sum, x), xs[0] as tf.Tensor),
        xs.length,
      ),
    );
    return { y, cache: {} };
  }

  backward(dy: tf.Tensor, _cache: Record<string, never>) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const share = tf.div(dy, this.inputShapes.length);
      return { dxs: this.inputShapes.map((_, i) => this.reduceTo(share, i)), grads: {} };
    });
  }
}
