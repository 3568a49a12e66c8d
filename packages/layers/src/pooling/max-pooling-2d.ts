/**
 * MaxPooling2D (channels-last): y[n,i,j,c] = max_{a,b} xp[n, i·s+a, j·s+b, c] (xp padded with -∞ for 'same').
 * Backward: dx[n,p,q,c] = Σ_{i,j} dy[n,i,j,c]·[(p,q) is the first argmax of window (i,j)], first in
 * row-major window order, so ties route the whole gradient to one input on every backend.
 */

import { configObject, routeToFirstMax } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { padWindow, placeViews, poolFields, type windowAxis, windowViews } from '../convolutional/conv-utils.js';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { routeToMaxInTiles, tiles } from './pool-tiles.js';
import { Pooling2D } from './pooling-2d.js';

export const MaxPooling2DConfig = configObject(baseConfig, poolFields);
export type MaxPooling2DConfig = z.input<typeof MaxPooling2DConfig>;

interface MaxPooling2DCache {
  x: tf.Tensor4D;
  y: tf.Tensor4D;
}

const LOWEST = -3.4028234663852886e38;

type WindowAxis = ReturnType<typeof windowAxis>;

/**
 * Keeps the largest value of each window of each channel: shrinks the image and keeps the strongest
 * feature responses.
 *
 * @example
 * const pool = new MaxPooling2D({ poolSize: 2 });
 * pool.build([28, 28, 32]); // → [14, 14, 32]
 */
export class MaxPooling2D extends Pooling2D<typeof MaxPooling2DConfig, MaxPooling2DCache> {
  constructor(config: MaxPooling2DConfig = {}) {
    super('MaxPooling2D', MaxPooling2DConfig, config);
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: MaxPooling2DCache } {
    this.checkInput(x);
    const x4 = x as tf.Tensor4D;
    const y = tf.maxPool(x4, this.k, this.s, this.config.padding);
    return { y, cache: { x: x4, y } };
  }

  backward(dy: tf.Tensor, { x, y }: MaxPooling2DCache) {
    this.checkGrad(dy);
    const { rows, cols } = this.window;
    return { dx: routeToMax(dy as tf.Tensor4D, x, y, this.k, this.s, rows, cols), grads: {} };
  }
}

/**
 * The max-pooling backward pass on [N,H,W,C]: each window's dy goes to its first argmax in row-major
 * window order (ties go to one input on every backend). MaxPooling1D uses it with a width of 1.
 * Windows that tile the input take the block layout (pool-tiles.ts); others, k·k strided views.
 */
export function routeToMax(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  k: [number, number],
  s: [number, number],
  rows: WindowAxis,
  cols: WindowAxis,
): tf.Tensor4D {
  if (tiles(k, s)) {
    // Windows from the top-left corner, none past the input: brickml's one-pass kernel on wasm.
    const own = rows.before === 0 && cols.before === 0 ? routeToFirstMax(dy, x, y, k) : null;
    return own ?? routeToMaxInTiles(dy, x, y, k, rows, cols, LOWEST);
  }
  return routeToMaxByViews(dy, x, y, k, s, rows, cols);
}

/** routeToMax through k·k strided views of the padded input, for any window and stride. */
export function routeToMaxByViews(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  k: [number, number],
  s: [number, number],
  rows: WindowAxis,
  cols: WindowAxis,
): tf.Tensor4D {
  return tf.tidy(() => {
    const views = windowViews(padWindow(x, rows, cols, LOWEST), k, s, rows, cols);
    let taken: tf.Tensor | null = null;
    const routed = views.map((v) => {
      const isMax = tf.equal(v, y);
      const hit: tf.Tensor = taken ? tf.logicalAnd(isMax, tf.logicalNot(taken)) : isMax;
      taken = taken ? tf.logicalOr(taken, hit) : hit;
      return tf.mul(dy, tf.cast(hit, 'float32')) as tf.Tensor4D;
    });
    return placeViews(routed, k, s, rows, cols, x.shape);
  });
}
