/**
 * SpatialDropout2D (channels-last), in training: y[n,i,j,c] = x[n,i,j,c]·m[n,c] with
 * m = [u < 1 − rate] / (1 − rate), u ~ U[0, 1) once per example and channel (Dropout with noise shape
 * [batch, 1, 1, channels]): whole feature maps are dropped; in inference y = x.
 * Backward: dx = dy ⊙ m, the mask kept in the cache (dx = dy in inference).
 */
import { configObject, Random, rng, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { assertImage } from '../preprocessing/random-translation.js';
import { DropoutRate, dropoutMask } from './dropout.js';

export const SpatialDropout2DConfig = configObject(baseConfig, {
  /** Fraction of the feature maps zeroed in training, in [0, 1) (required, as in Keras). */
  rate: DropoutRate,
  /** Seed of this brick's own mask stream. Default: none (masks come from the global rng, see setSeed). */
  seed: z.int({ error: 'must be an integer' }).optional(),
});
export type SpatialDropout2DConfig = z.input<typeof SpatialDropout2DConfig>;

interface SpatialDropout2DCache {
  /** The scaled mask m of shape [batch, 1, 1, channels], or null when the input went through unchanged. */
  m: tf.Tensor | null;
}

/**
 * Dropout of whole channels: where neighbouring pixels are strongly correlated (early convolutions),
 * dropping single pixels barely regularizes, so each training example loses entire feature maps.
 *
 * @example
 * const drop = new SpatialDropout2D({ rate: 0.2 });
 * drop.build([28, 28, 32]); // → [28, 28, 32]; in training about 20% of the 32 maps are zero per example
 */
export class SpatialDropout2D extends BaseLayer<
  typeof SpatialDropout2DConfig,
  Record<string, never>,
  SpatialDropout2DCache
> {
  private readonly stream: Random | undefined;

  constructor(config: SpatialDropout2DConfig) {
    super('SpatialDropout2D', SpatialDropout2DConfig, config);
    this.stream = this.config.seed === undefined ? undefined : new Random(this.config.seed);
  }

  protected setup(inputShape: Shape): Shape {
    assertImage(this.label, inputShape);
    return inputShape;
  }

  forward(x: tf.Tensor, opts: ForwardOptions): { y: tf.Tensor; cache: SpatialDropout2DCache } {
    this.checkInput(x);
    const { rate } = this.config;
    if (!opts.training || rate === 0) return { y: tf.clone(x), cache: { m: null } };
    const [n, , , c] = x.shape as [number, number, number, number];
    return tf.tidy(() => {
      const m = dropoutMask(this.stream ?? rng(), rate, [n, 1, 1, c]);
      return { y: tf.mul(x, m), cache: { m } };
    });
  }

  backward(dy: tf.Tensor, { m }: SpatialDropout2DCache) {
    this.checkGrad(dy);
    return { dx: m ? tf.mul(dy, m) : tf.clone(dy), grads: {} };
  }
}
