/**
 * Tanh: y = tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)
 * Backward: dx = dy ⊙ (1 − y²).
 */
import type { Shape } from '@brickml/core';
import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const TanhConfig = configObject(baseConfig);
export type TanhConfig = z.input<typeof TanhConfig>;

interface TanhCache {
  y: tf.Tensor;
}

/**
 * The hyperbolic tangent as a brick of its own, squashing every value into (−1, 1).
 *
 * @example
 * const tanh = new Tanh();
 * const { y } = tanh.forward(tf.tensor2d([[0, 20]]), { training: false }); // [[0, 1]]
 */
export class Tanh extends BaseLayer<typeof TanhConfig, Record<string, never>, TanhCache> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  constructor(config: TanhConfig = {}) {
    super('Tanh', TanhConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: TanhCache } {
    this.checkInput(x);
    const y = tf.tanh(x);
    return { y, cache: { y } };
  }

  backward(dy: tf.Tensor, { y }: TanhCache) {
    this.checkGrad(dy);
    return { dx: tf.tidy(() => tf.mul(dy, tf.sub(1, tf.square(y)))), grads: {} };
  }
}
