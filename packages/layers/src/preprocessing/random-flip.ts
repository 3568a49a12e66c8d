/**
 * RandomFlip (training only, channels-last): per example, with probability 1/2 per enabled axis,
 * y = reverse(x) along width (horizontal) and/or height (vertical); in inference y = x.
 * Backward: a flip is its own inverse and its own transpose, so dx = the same flips applied to dy
 * (the draws are kept in the cache).
 */
import { configObject, nonNegativeInt, Random, rng, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { assertImage } from './random-translation.js';

export const RandomFlipConfig = configObject(baseConfig, {
  /** Which flips to draw. Default: 'horizontal_and_vertical' (Keras). */
  mode: z.enum(['horizontal', 'vertical', 'horizontal_and_vertical']).default('horizontal_and_vertical'),
  /** Seed of this brick's own generator. Default: the global one (setSeed). */
  seed: nonNegativeInt().optional(),
});
export type RandomFlipConfig = z.input<typeof RandomFlipConfig>;

/** Per example: 1 where flipped. Null when that flip is not drawn (inference or mode). */
interface RandomFlipCache {
  horizontal: Float32Array | null;
  vertical: Float32Array | null;
}

/**
 * Data augmentation: flips each training image left-right and/or up-down at random; does nothing in inference.
 *
 * @example
 * const flip = new RandomFlip({ mode: 'horizontal' });
 * flip.build([28, 28, 1]); // → [28, 28, 1]
 */
export class RandomFlip extends BaseLayer<typeof RandomFlipConfig, Record<string, never>, RandomFlipCache> {
  private readonly random: Random | null;

  constructor(config: RandomFlipConfig = {}) {
    super('RandomFlip', RandomFlipConfig, config);
    this.random = this.config.seed === undefined ? null : new Random(this.config.seed);
  }

  protected setup(inputShape: Shape): Shape {
    assertImage(this.label, inputShape);
    return inputShape;
  }

  forward(x: tf.Tensor, { training }: ForwardOptions): { y: tf.Tensor; cache: RandomFlipCache } {
    this.checkInput(x);
    const { mode } = this.config;
    const n = x.shape[0] as number;
    const r = this.random ?? rng();
    const draw = (on: boolean) =>
      training && on ? Float32Array.from({ length: n }, () => (r.next() < 0.5 ? 1 : 0)) : null;
    const cache = { horizontal: draw(mode !== 'vertical'), vertical: draw(mode !== 'horizontal') };
    return { y: this.flip(x, cache), cache };
  }

  backward(dy: tf.Tensor, cache: RandomFlipCache) {
    this.checkGrad(dy);
    return { dx: this.flip(dy, cache), grads: {} };
  }

  private flip(t: tf.Tensor, { horizontal, vertical }: RandomFlipCache): tf.Tensor {
    return tf.tidy(() => {
      // m·flip(t) + (1 - m)·t is exact: one of the two terms is an exact zero.
      const apply = (u: tf.Tensor, flags: Float32Array | null, axis: number) => {
        if (!flags) return u;
        const m = tf.tensor4d(flags, [flags.length, 1, 1, 1]);
        return tf.add(tf.mul(m, tf.reverse(u, axis)), tf.mul(tf.sub(1, m), u));
      };
      const out = apply(apply(t, horizontal, 2), vertical, 1);
      return out === t ? tf.clone(t) : out;
    });
  }
}
