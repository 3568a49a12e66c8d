/**
 * Cropping2D (channels-last): y[n,i,j,c] = x[n, t+i, l+j, c], i < H − t − b, j < W − l − r: `top` rows
 * removed above, `bottom` below, `left` columns before, `right` after.
 * Backward: dx = dy padded back with zeros (the cropped entries get no gradient).
 */
import { BrickError, configObject, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { assertImage } from '../preprocessing/random-translation.js';
import { Margins2D, margins } from './margins-2d.js';

export const Cropping2DConfig = configObject(baseConfig, {
  /** Rows and columns removed: m, [h, w] or [[top, bottom], [left, right]]. Default: 0 (nothing). */
  cropping: Margins2D.default(0),
});
export type Cropping2DConfig = z.input<typeof Cropping2DConfig>;

/**
 * Removes rows and columns at the edges of each image, for instance to match the size of another
 * branch before a merge.
 *
 * @example
 * const crop = new Cropping2D({ cropping: [[2, 2], [4, 4]] });
 * crop.build([28, 28, 3]); // → [24, 20, 3]
 */
export class Cropping2D extends BaseLayer<typeof Cropping2DConfig, Record<string, never>, Record<string, never>> {
  constructor(config: Cropping2DConfig = {}) {
    super('Cropping2D', Cropping2DConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    assertImage(this.label, inputShape);
    return this.cropped(inputShape);
  }

  /** The shape left after cropping (a free axis stays free), or a named error when nothing is left. */
  private cropped(shape: Shape): (number | null)[] {
    const [[t, b], [l, r]] = margins(this.config.cropping);
    const [h, w, c] = shape as [number | null, number | null, number | null];
    if ((h !== null && t + b >= h) || (w !== null && l + r >= w)) {
      throw new BrickError(
        `${this.label}: cropping [${formatShape([t, b])}, ${formatShape([l, r])}] leaves nothing of the input ${formatShape([null, ...shape])}: top + bottom must be less than the height and left + right less than the width`,
        this.label,
      );
    }
    return [h === null ? null : h - t - b, w === null ? null : w - l - r, c];
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: Record<string, never> } {
    this.checkInput(x);
    const [[t], [l]] = margins(this.config.cropping);
    const size = this.cropped(x.shape.slice(1)) as number[];
    return { y: tf.slice(x, [0, t, l, 0], [x.shape[0] as number, ...size]), cache: {} };
  }

  backward(dy: tf.Tensor, _cache: Record<string, never>) {
    this.checkGrad(dy);
    const [rows, cols] = margins(this.config.cropping);
    return { dx: tf.pad(dy, [[0, 0], rows, cols, [0, 0]]), grads: {} };
  }
}
