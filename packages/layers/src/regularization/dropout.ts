/**
 * Dropout (inverted), in training: y = x ⊙ m with m = [u < 1 − rate] / (1 − rate), u ~ U[0, 1) drawn with
 * the noise shape (default: the input's; its 1s broadcast, so a whole slice shares one draw); in
 * inference y = x. Backward: dx = dy ⊙ m (dx = dy in inference).
 * The mask comes from brickml's seeded stream (the same on every backend) and travels in the cache.
 */
import { BrickError, configObject, formatShape, positiveInt, Random, rng, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

/** Keras' dropout rate: a number in [0, 1), required. */
export const DropoutRate = z
  .number({ error: 'must be a number in [0, 1)' })
  .gte(0, { error: 'must be a number in [0, 1)' })
  .lt(1, { error: 'must be a number in [0, 1)' });

export const DropoutConfig = configObject(baseConfig, {
  /** Fraction of the inputs zeroed in training, in [0, 1) (required, as in Keras). */
  rate: DropoutRate,
  /**
   * Shape of the drawn mask, batch axis first, one entry per input axis: null takes the input's size, 1
   * shares one draw along that axis ([null, 1, null] drops the same features at every time step).
   * Default: the input's shape (every entry drawn).
   */
  noiseShape: z
    .array(z.union([positiveInt(), z.null()], { error: 'must be a positive integer or null' }), {
      error: 'must be an array of positive integers or nulls',
    })
    .min(1, { error: 'must be an array of positive integers or nulls' })
    .optional(),
  /** Seed of this brick's own mask stream. Default: none (masks come from the global rng, see setSeed). */
  seed: z.int({ error: 'must be an integer' }).optional(),
});
export type DropoutConfig = z.input<typeof DropoutConfig>;

/**
 * The scaled inverted-dropout mask of shape `noise`: 1 / (1 − rate) where u < 1 − rate, else 0.
 * Drawn from `random`: on the CPU and uploaded, or on webgpu and wasm in place by a kernel of brickml's own
 * from the same stream.
 */
export function dropoutMask(random: Random, rate: number, noise: readonly number[]): tf.Tensor {
  const keep = 1 - rate;
  return random.bernoulliMask(noise, keep, 1 / keep);
}

interface DropoutCache {
  /** The scaled mask m (of the noise shape), or null when the input went through unchanged. */
  m: tf.Tensor | null;
}

/**
 * Zeroes a random fraction `rate` of the inputs while training and scales the rest by 1 / (1 − rate),
 * so inference needs no rescaling.
 *
 * @example
 * const dropout = new Dropout({ rate: 0.5 });
 * const { y } = dropout.forward(tf.ones([2, 4]), { training: true }); // entries 0 or 2
 */
export class Dropout extends BaseLayer<typeof DropoutConfig, Record<string, never>, DropoutCache> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  /** With a seed, the brick draws from a stream of its own (like a Keras SeedGenerator). */
  private readonly stream: Random | undefined;

  constructor(config: DropoutConfig) {
    super('Dropout', DropoutConfig, config);
    this.stream = this.config.seed === undefined ? undefined : new Random(this.config.seed);
  }

  protected setup(inputShape: Shape): Shape {
    const { noiseShape } = this.config;
    if (noiseShape) {
      if (noiseShape.length !== inputShape.length + 1) {
        throw new BrickError(
          `${this.label}: noiseShape ${formatShape(noiseShape)} has ${noiseShape.length} entries, the input ${formatShape([null, ...inputShape])} has ${inputShape.length + 1} axes (batch included)`,
          this.label,
        );
      }
      this.noiseFor([null, ...inputShape]);
    }
    return inputShape;
  }

  /** The noise shape resolved against the input's (null: the input's size), or a named error. */
  private noiseFor(xShape: readonly (number | null)[]): number[] {
    const noise = this.config.noiseShape ?? xShape;
    const fits = noise.every((d, i) => d === null || d === 1 || xShape[i] === null || d === xShape[i]);
    if (!fits) {
      throw new BrickError(
        `${this.label}: noiseShape ${formatShape(noise)} does not broadcast to the input ${formatShape(xShape)}: each entry must be null, 1 or the input's size on that axis`,
        this.label,
      );
    }
    return noise.map((d, i) => d ?? (xShape[i] as number));
  }

  forward(x: tf.Tensor, opts: ForwardOptions): { y: tf.Tensor; cache: DropoutCache } {
    this.checkInput(x);
    const { rate } = this.config;
    if (!opts.training || rate === 0) return { y: tf.clone(x), cache: { m: null } };
    const noise = this.noiseFor(x.shape);
    return tf.tidy(() => {
      const m = dropoutMask(this.stream ?? rng(), rate, noise);
      return { y: tf.mul(x, m), cache: { m } };
    });
  }

  backward(dy: tf.Tensor, { m }: DropoutCache) {
    this.checkGrad(dy);
    return { dx: m ? tf.mul(dy, m) : tf.clone(dy), grads: {} };
  }
}
