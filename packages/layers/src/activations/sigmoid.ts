/**
 * Sigmoid: y = σ(x) = 1 / (1 + e⁻ˣ)
 * Backward: dx = dy ⊙ y ⊙ (1 − y).
 */
import type { Shape } from '@brickml/core';
import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const SigmoidConfig = configObject(baseConfig);
export type SigmoidConfig = z.input<typeof SigmoidConfig>;

interface SigmoidCache {
  y: tf.Tensor;
}

/**
 * The logistic function as a brick of its own, squashing every value into (0, 1).
 *
 * @example
 * const sigmoid = new Sigmoid();
 * const { y } = sigmoid.forward(tf.tensor2d([[0]]), { training: false }); // [[0.5]]
 */
export class Sigmoid extends BaseLayer<typeof SigmoidConfig, Record<string, never>, SigmoidCache> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  constructor(config: SigmoidConfig = {}) {
    super('Sigmoid', SigmoidConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: SigmoidCache } {
    this.checkInput(x);
    const y = tf.sigmoid(x);
    return { y, cache: { y } };
  }

  backward(dy: tf.Tensor, { y }: SigmoidCache) {
    this.checkGrad(dy);
    return { dx: tf.tidy(() => tf.mul(dy, tf.mul(y, tf.sub(1, y)))), grads: {} };
  }
}
