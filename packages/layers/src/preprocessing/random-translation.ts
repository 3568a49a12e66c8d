/**
 * RandomTranslation (training only, channels-last): per example, whole-pixel shifts
 * ty = round(u·H), tx = round(v·W) with u, v uniform in the factor ranges; y[i,j] = x[i-ty, j-tx] where
 * that is inside the image, fillValue elsewhere; in inference y = x.
 * Backward (the transpose: shift back): dx[p,q] = dy[p+ty, q+tx] where inside, 0 elsewhere.
 */
import { BrickError, configObject, formatShape, nonNegativeInt, Random, rng, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

const Factor = z.union([z.number().min(-1).max(1), z.tuple([z.number().min(-1).max(1), z.number().min(-1).max(1)])]);

export const RandomTranslationConfig = configObject(baseConfig, {
  /** Vertical shift as a fraction of the height: f for [-f, f], or [lower, upper]; positive moves down. */
  heightFactor: Factor,
  /** Horizontal shift as a fraction of the width: f for [-f, f], or [lower, upper]; positive moves right. */
  widthFactor: Factor,
  /** How uncovered pixels are filled; only 'constant' is supported. Default: 'constant'. */
  fillMode: z.literal('constant').default('constant'),
  /** The constant for uncovered pixels. Default: 0. */
  fillValue: z.number().default(0),
  /** Seed of this brick's own generator. Default: the global one (setSeed). */
  seed: nonNegativeInt().optional(),
});
export type RandomTranslationConfig = z.input<typeof RandomTranslationConfig>;

/** Per example [ty, tx] in pixels; null in inference. */
interface RandomTranslationCache {
  shifts: Int32Array | null;
}

/** Throws a named error unless the example shape is [height, width, channels]. */
export function assertImage(label: string, inputShape: Shape): void {
  if (inputShape.length !== 3) {
    throw new BrickError(
      `${label}: input must have shape [null, height, width, channels], received ${formatShape([null, ...inputShape])}`,
      label,
    );
  }
}

const range = (f: z.infer<typeof Factor>): [number, number] =>
  typeof f === 'number' ? [-Math.abs(f), Math.abs(f)] : f;

/**
 * Data augmentation: shifts each training image by a random whole number of pixels, filling the
 * uncovered border; does nothing in inference.
 *
 * @example
 * const shift = new RandomTranslation({ heightFactor: 0.1, widthFactor: 0.1 });
 * shift.build([28, 28, 1]); // shifts of up to ±3 pixels each way
 */
export class RandomTranslation extends BaseLayer<
  typeof RandomTranslationConfig,
  Record<string, never>,
  RandomTranslationCache
> {
  private readonly random: Random | null;

  constructor(config: RandomTranslationConfig) {
    super('RandomTranslation', RandomTranslationConfig, config);
    this.random = this.config.seed === undefined ? null : new Random(this.config.seed);
  }

  protected setup(inputShape: Shape): Shape {
    assertImage(this.label, inputShape);
    return inputShape;
  }

  forward(x: tf.Tensor, { training }: ForwardOptions): { y: tf.Tensor; cache: RandomTranslationCache } {
    this.checkInput(x);
    if (!training) return { y: tf.clone(x), cache: { shifts: null } };
    const [n, h, w] = x.shape as number[] as [number, number, number];
    const r = this.random ?? rng();
    const [hl, hu] = range(this.config.heightFactor);
    const [wl, wu] = range(this.config.widthFactor);
    const shifts = new Int32Array(2 * n);
    for (let b = 0; b < n; b++) {
      shifts[2 * b] = Math.round((hl + (hu - hl) * r.next()) * h);
      shifts[2 * b + 1] = Math.round((wl + (wu - wl) * r.next()) * w);
    }
    return { y: shiftImages(x, shifts, 1, this.config.fillValue), cache: { shifts } };
  }

  backward(dy: tf.Tensor, { shifts }: RandomTranslationCache) {
    this.checkGrad(dy);
    return { dx: shifts ? shiftImages(dy, shifts, -1, 0) : tf.clone(dy), grads: {} };
  }
}

/** out[n,i,j] = t[n, i - sign·ty, j - sign·tx] inside the image, `fill` outside: one gather from an index built on the CPU. */
function shiftImages(t: tf.Tensor, shifts: Int32Array, sign: number, fill: number): tf.Tensor {
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const outside = n * h * w;
  const index = new Int32Array(outside);
  for (let b = 0; b < n; b++) {
    const [ty, tx] = [sign * (shifts[2 * b] as number), sign * (shifts[2 * b + 1] as number)];
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const [si, sj] = [i - ty, j - tx];
        index[(b * h + i) * w + j] = si >= 0 && si < h && sj >= 0 && sj < w ? (b * h + si) * w + sj : outside;
      }
    }
  }
  return tf.tidy(() => {
    const rows = tf.concat([tf.reshape(t, [outside, c]), tf.fill([1, c], fill)], 0);
    return tf.reshape(tf.gather(rows, tf.tensor1d(index, 'int32')), [n, h, w, c]);
  });
}
