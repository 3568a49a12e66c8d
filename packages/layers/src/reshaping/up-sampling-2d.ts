/**
 * UpSampling2D (channels-last, nearest): y[n,i,j,c] = x[n, ⌊i/sh⌋, ⌊j/sw⌋, c], each pixel repeated
 * sh times down and sw times across. Backward: dx[n,p,q,c] = Σ_{a<sh, b<sw} dy[n, p·sh+a, q·sw+b, c],
 * the sum over each pixel's block. Rank-3 reshapes, tiles and sums only (every backend has them).
 */
import type { Shape } from '@brickml/core';
import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Pair, pair } from '../convolutional/conv-utils.js';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { broadcast } from '../ops.js';
import { assertImage } from '../preprocessing/random-translation.js';

export const UpSampling2DConfig = configObject(baseConfig, {
  /** Repeats of each row and column: one integer or [rows, columns]. Default: 2. */
  size: Pair.default(2),
  /**
   * How new pixels are filled; only 'nearest' (repeat) is implemented: Keras' 'bilinear', 'bicubic',
   * 'lanczos3' and 'lanczos5' are refused by name. Default: 'nearest'.
   */
  interpolation: z
    .enum(['nearest', 'bilinear', 'bicubic', 'lanczos3', 'lanczos5'], {
      error: "must be one of 'nearest', 'bilinear', 'bicubic', 'lanczos3', 'lanczos5'",
    })
    .refine((i) => i === 'nearest', { error: "must be 'nearest' (the only interpolation implemented)" })
    .default('nearest'),
});
export type UpSampling2DConfig = z.input<typeof UpSampling2DConfig>;

interface UpSampling2DCache {
  xShape: number[];
}

/**
 * Enlarges each image by repeating its rows and columns, the inverse in shape of a pooling: the decoder
 * half of an autoencoder or a U-Net.
 *
 * @example
 * const up = new UpSampling2D({ size: [2, 3] });
 * up.build([7, 7, 16]); // → [14, 21, 16]
 */
export class UpSampling2D extends BaseLayer<typeof UpSampling2DConfig, Record<string, never>, UpSampling2DCache> {
  constructor(config: UpSampling2DConfig = {}) {
    super('UpSampling2D', UpSampling2DConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    assertImage(this.label, inputShape);
    const [sh, sw] = pair(this.config.size);
    const [h, w, c] = inputShape as [number | null, number | null, number | null];
    return [h === null ? null : h * sh, w === null ? null : w * sw, c];
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: UpSampling2DCache } {
    this.checkInput(x);
    const [sh, sw] = pair(this.config.size);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    return tf.tidy(() => {
      // Repeat each pixel across (one row of W·sw·C values), then each such row down.
      const across = broadcast(tf.reshape(x, [n * h * w, 1, c]), [n * h * w, sw, c]);
      const down = broadcast(tf.reshape(across, [n * h, 1, w * sw * c]), [n * h, sh, w * sw * c]);
      return { y: tf.reshape(down, [n, h * sh, w * sw, c]), cache: { xShape: x.shape } };
    });
  }

  backward(dy: tf.Tensor, { xShape }: UpSampling2DCache) {
    this.checkGrad(dy);
    const [sh, sw] = pair(this.config.size);
    const [n, h, w, c] = xShape as [number, number, number, number];
    return tf.tidy(() => {
      const rows = tf.sum(tf.reshape(dy, [n * h, sh, w * sw * c]), 1);
      const blocks = tf.sum(tf.reshape(rows, [n * h * w, sw, c]), 1);
      return { dx: tf.reshape(blocks, [n, h, w, c]), grads: {} };
    });
  }
}
