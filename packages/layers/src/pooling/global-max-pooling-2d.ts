/**
 * GlobalMaxPooling2D (channels-last): y[n,c] = max_{p,q} x[n,p,q,c].
 * Backward: dx[n,p,q,c] = dy[n,c]·[(p,q) is the first argmax in row-major order], so ties route the
 * whole gradient to one pixel on every backend (first = equal to the max with running count 1).
 */
import { BrickError, configObject, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const GlobalMaxPooling2DConfig = configObject(baseConfig, {
  /** Keep the spatial axes as size 1 ([1, 1, C] instead of [C]). Default: false. */
  keepdims: z.boolean().default(false),
});
export type GlobalMaxPooling2DConfig = z.input<typeof GlobalMaxPooling2DConfig>;

interface GlobalMaxPooling2DCache {
  x: tf.Tensor;
  y: tf.Tensor;
}

/**
 * Keeps each channel's largest value over the whole image: [H, W, C] → [C].
 *
 * @example
 * const gmp = new GlobalMaxPooling2D();
 * gmp.build([7, 7, 64]); // → [64]
 */
export class GlobalMaxPooling2D extends BaseLayer<
  typeof GlobalMaxPooling2DConfig,
  Record<string, never>,
  GlobalMaxPooling2DCache
> {
  constructor(config: GlobalMaxPooling2DConfig = {}) {
    super('GlobalMaxPooling2D', GlobalMaxPooling2DConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length !== 3) {
      throw new BrickError(
        `${this.label}: input must have shape [null, height, width, channels], received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    const c = inputShape[2] as number;
    return this.config.keepdims ? [1, 1, c] : [c];
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: GlobalMaxPooling2DCache } {
    this.checkInput(x);
    const y = tf.max(x, [1, 2], this.config.keepdims);
    return { y, cache: { x, y } };
  }

  backward(dy: tf.Tensor, { x, y }: GlobalMaxPooling2DCache) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape as [number, number, number, number];
      const flat = tf.reshape(x, [n, h * w, c]);
      const isMax = tf.cast(tf.equal(flat, tf.reshape(y, [n, 1, c])), 'float32');
      const first = tf.logicalAnd(tf.cast(isMax, 'bool'), tf.equal(tf.cumsum(isMax, 1), 1));
      const dx = tf.mul(tf.cast(first, 'float32'), tf.reshape(dy, [n, 1, c]));
      return { dx: tf.reshape(dx, [n, h, w, c]), grads: {} };
    });
  }
}
