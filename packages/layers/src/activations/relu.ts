/**
 * ReLU (Keras 3): y = min(x, m) where x > θ, y = α·(x − θ) where x ≤ θ
 * (m = maxValue, α = negativeSlope, θ = threshold; the defaults give max(x, 0)).
 * Backward: dx = dy ⊙ ([θ < x < m] + α·[x ≤ θ]).
 */
import type { Shape } from '@brickml/core';
import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

const nonNegative = () => z.number({ error: 'must be a number' }).nonnegative({ error: 'must be non-negative' });

export const ReLUConfig = configObject(baseConfig, {
  /** Largest output value. Default: none (unbounded). */
  maxValue: nonNegative().optional(),
  /** Slope α below the threshold. Default: 0. */
  negativeSlope: nonNegative().default(0),
  /** Input value θ below which the output is α·(x − θ). Default: 0. */
  threshold: nonNegative().default(0),
});
export type ReLUConfig = z.input<typeof ReLUConfig>;

interface ReLUCache {
  x: tf.Tensor;
}

/**
 * Rectified linear unit with Keras' optional ceiling, leak and threshold.
 *
 * @example
 * const relu6 = new ReLU({ maxValue: 6 });
 * const { y } = relu6.forward(tf.tensor2d([[-1, 3, 9]]), { training: false }); // [[0, 3, 6]]
 */
export class ReLU extends BaseLayer<typeof ReLUConfig, Record<string, never>, ReLUCache> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  constructor(config: ReLUConfig = {}) {
    super('ReLU', ReLUConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: ReLUCache } {
    this.checkInput(x);
    const { maxValue, negativeSlope, threshold } = this.config;
    if (maxValue === undefined && negativeSlope === 0 && threshold === 0) return { y: tf.relu(x), cache: { x } };
    return tf.tidy(() => {
      // step rather than greater + where, so that tfjs autodiff (the test oracle) can pass through it.
      const above = tf.step(tf.sub(x, threshold));
      const top = maxValue === undefined ? x : tf.minimum(x, maxValue);
      let y = tf.mul(above, top);
      if (negativeSlope !== 0) y = tf.add(y, tf.mul(tf.sub(1, above), tf.mul(negativeSlope, tf.sub(x, threshold))));
      return { y, cache: { x } };
    });
  }

  backward(dy: tf.Tensor, { x }: ReLUCache) {
    this.checkGrad(dy);
    const { maxValue, negativeSlope, threshold } = this.config;
    return tf.tidy(() => {
      let slope = tf.cast(tf.greater(x, threshold), 'float32');
      if (maxValue !== undefined) slope = tf.mul(slope, tf.cast(tf.less(x, maxValue), 'float32'));
      if (negativeSlope !== 0)
        slope = tf.add(slope, tf.mul(negativeSlope, tf.cast(tf.lessEqual(x, threshold), 'float32')));
      return { dx: tf.mul(dy, slope), grads: {} };
    });
  }
}
