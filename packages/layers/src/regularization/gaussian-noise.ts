/**
 * GaussianNoise, in training: y = x + ε, ε ~ N(0, stddev²) per entry, drawn afresh each call; in
 * inference y = x. Backward: dx = dy (the noise does not depend on x).
 * The noise is drawn on the CPU (no backend has a random kernel); backward needs nothing from it.
 */
import { configObject, Random, rng, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const GaussianNoiseConfig = configObject(baseConfig, {
  /** Standard deviation of the noise, in [0, 1] as Keras checks it (required). */
  stddev: z
    .number({ error: 'must be a number in [0, 1]' })
    .gte(0, { error: 'must be a number in [0, 1]' })
    .lte(1, { error: 'must be a number in [0, 1]' }),
  /** Seed of this brick's own noise stream. Default: none (noise comes from the global rng, see setSeed). */
  seed: z.int({ error: 'must be an integer' }).optional(),
});
export type GaussianNoiseConfig = z.input<typeof GaussianNoiseConfig>;

/** Nothing: the gradient of x + ε is dy whatever ε was. */
type GaussianNoiseCache = Record<string, never>;

/**
 * Adds zero-centred Gaussian noise to its input while training, a regularizer (and a light
 * augmentation for real-valued inputs); does nothing in inference.
 *
 * @example
 * const noise = new GaussianNoise({ stddev: 0.1 });
 * noise.build([16]); // → [16]
 */
export class GaussianNoise extends BaseLayer<typeof GaussianNoiseConfig, Record<string, never>, GaussianNoiseCache> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  private readonly stream: Random | undefined;

  constructor(config: GaussianNoiseConfig) {
    super('GaussianNoise', GaussianNoiseConfig, config);
    this.stream = this.config.seed === undefined ? undefined : new Random(this.config.seed);
  }

  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: tf.Tensor, opts: ForwardOptions): { y: tf.Tensor; cache: GaussianNoiseCache } {
    this.checkInput(x);
    const { stddev } = this.config;
    if (!opts.training || stddev === 0) return { y: tf.clone(x), cache: {} };
    const noise = (this.stream ?? rng()).normalArray(x.size, 0, stddev);
    return tf.tidy(() => ({ y: tf.add(x, tf.tensor(noise, x.shape, 'float32')), cache: {} }));
  }

  backward(dy: tf.Tensor, _cache: GaussianNoiseCache) {
    this.checkGrad(dy);
    return { dx: tf.clone(dy), grads: {} };
  }
}
