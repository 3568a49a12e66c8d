/**
 * Softmax along axis a: y = exp(x − max_a x) / Σ_a exp(x − max_a x)
 * Backward: dx = y ⊙ (dy − Σ_a dy ⊙ y).
 * `axis` counts the batch axis, as in Keras: -1 is the last axis, 1 the first feature axis.
 */
import { BrickError, configObject, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const SoftmaxConfig = configObject(baseConfig, {
  /** Axis normalized over, counting the batch axis (0 is refused). Default: -1. */
  axis: z.int({ error: 'must be an integer' }).default(-1),
});
export type SoftmaxConfig = z.input<typeof SoftmaxConfig>;

interface SoftmaxCache {
  y: tf.Tensor;
}

/**
 * Turns scores into probabilities that sum to one along an axis.
 *
 * @example
 * const softmax = new Softmax();
 * const { y } = softmax.forward(tf.tensor2d([[1, 1]]), { training: false }); // [[0.5, 0.5]]
 */
export class Softmax extends BaseLayer<typeof SoftmaxConfig, Record<string, never>, SoftmaxCache> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  constructor(config: SoftmaxConfig = {}) {
    super('Softmax', SoftmaxConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    const rank = inputShape.length + 1;
    const { axis } = this.config;
    if (axis === 0 || axis < -rank || axis >= rank) {
      throw new BrickError(
        `${this.label}: axis must name a non-batch axis of an input of rank ${rank} (1..${rank - 1} or -${rank - 1}..-1), received ${axis}`,
        this.label,
      );
    }
    return inputShape;
  }

  /** The axis as a non-negative index into the batched tensor. */
  private get resolvedAxis(): number {
    const rank = this.inputShape.length + 1;
    return this.config.axis < 0 ? this.config.axis + rank : this.config.axis;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: SoftmaxCache } {
    this.checkInput(x);
    const axis = this.resolvedAxis;
    const y = tf.tidy(() => {
      if (axis === x.rank - 1) return tf.softmax(x);
      const e = tf.exp(tf.sub(x, tf.max(x, axis, true)));
      return tf.div(e, tf.sum(e, axis, true));
    });
    return { y, cache: { y } };
  }

  backward(dy: tf.Tensor, { y }: SoftmaxCache) {
    this.checkGrad(dy);
    const axis = this.resolvedAxis;
    return { dx: tf.tidy(() => tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), axis, true)))), grads: {} };
  }
}
