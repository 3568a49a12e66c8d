/**
 * GlobalAveragePooling2D (channels-last): y[n,c] = (1/(H·W))·Σ_{p,q} x[n,p,q,c].
 * Backward: dx[n,p,q,c] = dy[n,c] / (H·W).
 */
import { BrickError, configObject, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { broadcast } from '../ops.js';

export const GlobalAveragePooling2DConfig = configObject(baseConfig, {
  /** Keep the spatial axes as size 1 ([1, 1, C] instead of [C]). Default: false. */
  keepdims: z.boolean().default(false),
});
export type GlobalAveragePooling2DConfig = z.input<typeof GlobalAveragePooling2DConfig>;

interface GlobalAveragePooling2DCache {
  xShape: number[];
}

/**
 * Averages each channel over the whole image: [H, W, C] → [C], a light replacement for Flatten + Dense.
 *
 * @example
 * const gap = new GlobalAveragePooling2D();
 * gap.build([7, 7, 64]); // → [64]
 */
export class GlobalAveragePooling2D extends BaseLayer<
  typeof GlobalAveragePooling2DConfig,
  Record<string, never>,
  GlobalAveragePooling2DCache
> {
  constructor(config: GlobalAveragePooling2DConfig = {}) {
    super('GlobalAveragePooling2D', GlobalAveragePooling2DConfig, config);
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

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: GlobalAveragePooling2DCache } {
    this.checkInput(x);
    return { y: tf.mean(x, [1, 2], this.config.keepdims), cache: { xShape: x.shape } };
  }

  backward(dy: tf.Tensor, { xShape }: GlobalAveragePooling2DCache) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const [n, h, w, c] = xShape as [number, number, number, number];
      const g = tf.reshape(tf.div(dy, h * w), [n, 1, 1, c]);
      return { dx: broadcast(g, [n, h, w, c]), grads: {} };
    });
  }
}
