/**
 * LeakyReLU: y = x where x > 0, y = α·x elsewhere (α = negativeSlope).
 * Backward: dx = dy ⊙ ([x > 0] + α·[x ≤ 0]).
 */
import type { Shape } from '@brickml/core';
import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const LeakyReLUConfig = configObject(baseConfig, {
  /** Slope α for negative inputs. Default: 0.3 (Keras 3). */
  negativeSlope: z.number({ error: 'must be a number' }).nonnegative({ error: 'must be non-negative' }).default(0.3),
});
export type LeakyReLUConfig = z.input<typeof LeakyReLUConfig>;

interface LeakyReLUCache {
  x: tf.Tensor;
}

/**
 * A ReLU that lets a small gradient through for negative inputs.
 *
 * @example
 * const leaky = new LeakyReLU({ negativeSlope: 0.1 });
 * const { y } = leaky.forward(tf.tensor2d([[-2, 3]]), { training: false }); // [[-0.2, 3]]
 */
export class LeakyReLU extends BaseLayer<typeof LeakyReLUConfig, Record<string, never>, LeakyReLUCache> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  constructor(config: LeakyReLUConfig = {}) {
    super('LeakyReLU', LeakyReLUConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: LeakyReLUCache } {
    this.checkInput(x);
    return { y: tf.leakyRelu(x, this.config.negativeSlope), cache: { x } };
  }

  backward(dy: tf.Tensor, { x }: LeakyReLUCache) {
    this.checkGrad(dy);
    const alpha = this.config.negativeSlope;
    return tf.tidy(() => {
      const positive = tf.cast(tf.greater(x, 0), 'float32');
      const slope = tf.add(positive, tf.mul(alpha, tf.sub(1, positive)));
      return { dx: tf.mul(dy, slope), grads: {} };
    });
  }
}
