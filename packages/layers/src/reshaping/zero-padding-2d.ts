/**
 * ZeroPadding2D (channels-last): y = x surrounded by zeros, `top` rows above, `bottom` below, `left`
 * columns before and `right` after: y[n, t+i, l+j, c] = x[n,i,j,c], 0 elsewhere.
 * Backward: dx = dy[:, t : t+H, l : l+W, :] (the padding's gradient is dropped).
 */
import type { Shape } from '@brickml/core';
import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { assertImage } from '../preprocessing/random-translation.js';
import { Margins2D, margins } from './margins-2d.js';

export const ZeroPadding2DConfig = configObject(baseConfig, {
  /** Rows and columns of zeros: m, [h, w] or [[top, bottom], [left, right]]. Default: 1 (Keras' (1, 1)). */
  padding: Margins2D.default(1),
});
export type ZeroPadding2DConfig = z.input<typeof ZeroPadding2DConfig>;

interface ZeroPadding2DCache {
  xShape: number[];
}

/**
 * Adds rows and columns of zeros around each image, for instance before a convolution that should keep
 * the size.
 *
 * @example
 * const pad = new ZeroPadding2D({ padding: [[1, 2], [0, 3]] });
 * pad.build([28, 28, 1]); // → [31, 31, 1]
 */
export class ZeroPadding2D extends BaseLayer<typeof ZeroPadding2DConfig, Record<string, never>, ZeroPadding2DCache> {
  constructor(config: ZeroPadding2DConfig = {}) {
    super('ZeroPadding2D', ZeroPadding2DConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    assertImage(this.label, inputShape);
    const [[t, b], [l, r]] = margins(this.config.padding);
    const [h, w, c] = inputShape as [number | null, number | null, number | null];
    return [h === null ? null : h + t + b, w === null ? null : w + l + r, c];
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: ZeroPadding2DCache } {
    this.checkInput(x);
    const [rows, cols] = margins(this.config.padding);
    return { y: tf.pad(x, [[0, 0], rows, cols, [0, 0]]), cache: { xShape: x.shape } };
  }

  backward(dy: tf.Tensor, { xShape }: ZeroPadding2DCache) {
    this.checkGrad(dy);
    const [[t], [l]] = margins(this.config.padding);
    return { dx: tf.slice(dy, [0, t, l, 0], xShape), grads: {} };
  }
}
