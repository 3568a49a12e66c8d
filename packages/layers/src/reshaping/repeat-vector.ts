/**
 * RepeatVector: y[b, t, f] = x[b, f] for t = 1..n ([B, F] → [B, n, F]).
 * Backward: dx[b, f] = Σ_t dy[b, t, f].
 */
import { BrickError, configObject, formatShape, positiveInt, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { broadcast } from '../ops.js';

export const RepeatVectorConfig = configObject(baseConfig, {
  /** How many times the input vector is repeated: the length of the output sequence. */
  n: positiveInt(),
});
export type RepeatVectorConfig = z.input<typeof RepeatVectorConfig>;

/**
 * Repeats each input vector n times, making a sequence of n equal steps (the decoder input of a
 * sequence-to-sequence autoencoder).
 *
 * @example
 * const repeat = new RepeatVector({ n: 3 });
 * repeat.build([32]); // → [3, 32]
 */
export class RepeatVector extends BaseLayer<typeof RepeatVectorConfig, Record<string, never>, null> {
  constructor(config: RepeatVectorConfig) {
    super('RepeatVector', RepeatVectorConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length !== 1) {
      throw new BrickError(
        `${this.label}: input must have shape [null, features], received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    return [this.config.n, inputShape[0] as number | null];
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: null } {
    this.checkInput(x);
    const [batch, features] = x.shape as [number, number];
    return { y: tf.tidy(() => broadcast(tf.expandDims(x, 1), [batch, this.config.n, features])), cache: null };
  }

  backward(dy: tf.Tensor, _cache: null) {
    this.checkGrad(dy);
    return { dx: tf.sum(dy, 1), grads: {} };
  }
}
