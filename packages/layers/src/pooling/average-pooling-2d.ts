/**
 * AveragePooling2D (channels-last): y[n,i,j,c] = (1/|Ω_ij|)·Σ_{(p,q)∈Ω_ij} x[n,p,q,c], Ω_ij the window's
 * cells inside the input (for 'same', padding is not counted, as in Keras/TensorFlow).
 * Backward: dx[n,p,q,c] = Σ_{windows (i,j) ∋ (p,q)} dy[n,i,j,c] / |Ω_ij|.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { padWindow, placeViews, poolFields, windowViews } from '../convolutional/conv-utils.js';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { spreadMeanInTiles, tiles } from './pool-tiles.js';
import { Pooling2D } from './pooling-2d.js';

export const AveragePooling2DConfig = configObject(baseConfig, poolFields);
export type AveragePooling2DConfig = z.input<typeof AveragePooling2DConfig>;

interface AveragePooling2DCache {
  x: tf.Tensor4D;
}

/**
 * Replaces each window of each channel by its mean: shrinks the image, smoothing it.
 *
 * @example
 * const pool = new AveragePooling2D({ poolSize: 2 });
 * pool.build([6, 6, 1]); // → [3, 3, 1]
 */
export class AveragePooling2D extends Pooling2D<typeof AveragePooling2DConfig, AveragePooling2DCache> {
  constructor(config: AveragePooling2DConfig = {}) {
    super('AveragePooling2D', AveragePooling2DConfig, config);
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: AveragePooling2DCache } {
    this.checkInput(x);
    const x4 = x as tf.Tensor4D;
    return { y: tf.avgPool(x4, this.k, this.s, this.config.padding), cache: { x: x4 } };
  }

  backward(dy: tf.Tensor, { x }: AveragePooling2DCache) {
    this.checkGrad(dy);
    const { rows, cols } = this.window;
    const [k, s] = [this.k, this.s];
    if (tiles(k, s)) return { dx: spreadMeanInTiles(dy as tf.Tensor4D, k, rows, cols, x.shape), grads: {} };
    return tf.tidy(() => {
      // |Ω_ij|: the window's cells that fall inside the input, one count per output pixel.
      const inside = padWindow(tf.ones([1, x.shape[1], x.shape[2], 1]), rows, cols, 0);
      // A chain of adds, not addN: webgpu's AddN returns zeros for these strided views.
      const count = windowViews(inside, k, s, rows, cols).reduce((a, b) => tf.add(a, b));
      const g = tf.div(dy, count) as tf.Tensor4D;
      return { dx: placeViews(Array(k[0] * k[1]).fill(g), k, s, rows, cols, x.shape), grads: {} };
    });
  }
}
