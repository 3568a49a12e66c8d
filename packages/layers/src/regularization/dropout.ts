/**
 * Dropout (inverted), in training: y = x ⊙ m with m = [u < 1 − rate] / (1 − rate), u ~ U[0, 1) per entry;
 * in inference y = x. Backward: dx = dy ⊙ m (dx = dy in inference).
 * The mask is drawn on the CPU and uploaded (no backend has a random kernel) and travels in the cache.
 */
import { Random, rng, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const DropoutConfig = z.strictObject({
  ...baseConfig,
  /** Fraction of the inputs zeroed in training, in [0, 1) (required, as in Keras). */
  rate: z
    .number({ error: 'must be a number in [0, 1)' })
    .gte(0, { error: 'must be a number in [0, 1)' })
    .lt(1, { error: 'must be a number in [0, 1)' }),
  /** Seed of this brick's own mask stream. Default: none (masks come from the global rng, see setSeed). */
  seed: z.int({ error: 'must be an integer' }).optional(),
});
export type DropoutConfig = z.input<typeof DropoutConfig>;

interface DropoutCache {
  /** The scaled mask m, or null when the input went through unchanged. */
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
  /** With a seed, the brick draws from a stream of its own (like a Keras SeedGenerator). */
  private readonly stream: Random | undefined;

  constructor(config: DropoutConfig) {
    super('Dropout', DropoutConfig, config);
    this.stream = this.config.seed === undefined ? undefined : new Random(this.config.seed);
  }

  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: tf.Tensor, opts: ForwardOptions): { y: tf.Tensor; cache: DropoutCache } {
    this.checkInput(x);
    const { rate } = this.config;
    if (!opts.training || rate === 0) return { y: tf.clone(x), cache: { m: null } };
    const random = this.stream ?? rng();
    const u = random.uniformArray(x.size);
    const keep = 1 - rate;
    const scale = 1 / keep;
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = (u[i] as number) < keep ? scale : 0;
    return tf.tidy(() => {
      const m = tf.tensor(mask, x.shape, 'float32');
      return { y: tf.mul(x, m), cache: { m } };
    });
  }

  backward(dy: tf.Tensor, { m }: DropoutCache) {
    this.checkGrad(dy);
    return { dx: m ? tf.mul(dy, m) : tf.clone(dy), grads: {} };
  }
}
