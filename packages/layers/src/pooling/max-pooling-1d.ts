/**
 * MaxPooling1D (channels-last): y[n,t,c] = max_a xp[n, t·s+a, c], a < k (xp padded with -∞ for 'same').
 * Backward: dx[n,p,c] = Σ_t dy[n,t,c]·[p is the first argmax of window t], so ties route the whole
 * gradient to one input on every backend. Computed as MaxPooling2D on [N, steps, 1, C] with a k×1 window.
 */
import { BrickError, configObject, formatShape, positiveInt, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Padding, windowAxis } from '../convolutional/conv-utils.js';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { routeToMax } from './max-pooling-2d.js';

/** One positive integer, or a list of one (Keras stores `pool_size` as a 1-tuple). */
const Size1D = z.union([positiveInt(), z.tuple([positiveInt()])], {
  error: 'must be a positive integer or a list of one',
});
const size1D = (v: z.output<typeof Size1D>): number => (typeof v === 'number' ? v : v[0]);

export const MaxPooling1DConfig = configObject(baseConfig, {
  /** Window length. Default: 2. */
  poolSize: Size1D.default(2),
  /** Step of the window. Default: poolSize. */
  strides: Size1D.optional(),
  /** 'valid' (no padding) or 'same' (pad so that out = ⌈steps/stride⌉). Default: 'valid'. */
  padding: Padding.default('valid'),
});
export type MaxPooling1DConfig = z.input<typeof MaxPooling1DConfig>;

type WindowAxis = ReturnType<typeof windowAxis>;

interface MaxPooling1DCache {
  /** x and y as [N, steps, 1, C]. */
  x: tf.Tensor4D;
  y: tf.Tensor4D;
  /** The window along the steps of this call (a free steps axis is sized per batch). */
  rows: WindowAxis;
}

/**
 * Keeps the largest value of each window of steps, per feature: shortens a sequence and keeps the
 * strongest responses.
 *
 * @example
 * const pool = new MaxPooling1D({ poolSize: 2 });
 * pool.build([10, 16]); // → [5, 16]
 */
export class MaxPooling1D extends BaseLayer<typeof MaxPooling1DConfig, Record<string, never>, MaxPooling1DCache> {
  constructor(config: MaxPooling1DConfig = {}) {
    super('MaxPooling1D', MaxPooling1DConfig, config);
  }

  private get k(): [number, number] {
    return [size1D(this.config.poolSize), 1];
  }

  /** Keras' default: strides equal to the pool size. */
  private get s(): [number, number] {
    return [size1D(this.config.strides ?? this.config.poolSize), 1];
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length !== 2) {
      throw new BrickError(
        `${this.label}: input must have shape [null, steps, features] (rank 3 with the batch), received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    const [steps, c] = inputShape as [number | null, number | null];
    return [steps === null ? null : this.window(inputShape).out, c];
  }

  /** The window along the steps of an input of this example shape, or a named error when it leaves nothing. */
  private window(shape: Shape): WindowAxis {
    const { padding } = this.config;
    const rows = windowAxis(shape[0] as number, this.k[0], this.s[0], 1, padding);
    if (rows.out === 0) {
      throw new BrickError(
        `${this.label}: pool ${this.k[0]} is longer than the input ${formatShape([null, ...shape])} with padding '${padding}', which leaves an empty output`,
        this.label,
      );
    }
    return rows;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: MaxPooling1DCache } {
    this.checkInput(x);
    const rows = this.window(x.shape.slice(1));
    return tf.tidy(() => {
      const [n, steps, c] = x.shape as [number, number, number];
      const x4 = tf.reshape(x, [n, steps, 1, c]) as tf.Tensor4D;
      const y4 = tf.maxPool(x4, this.k, this.s, this.config.padding);
      return { y: tf.reshape(y4, [n, rows.out, c]), cache: { x: x4, y: y4, rows } };
    });
  }

  backward(dy: tf.Tensor, { x, y, rows }: MaxPooling1DCache) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const [n, steps, , c] = x.shape;
      const dy4 = tf.reshape(dy, y.shape) as tf.Tensor4D;
      const dx = routeToMax(dy4, x, y, this.k, this.s, rows, { out: 1, before: 0, after: 0 });
      return { dx: tf.reshape(dx, [n, steps, c]), grads: {} };
    });
  }
}
