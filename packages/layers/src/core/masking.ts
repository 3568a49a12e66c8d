/**
 * Masking: m[b, t] = any_f(x[b, t, f] != maskValue), y = x·m (a step equal to maskValue everywhere becomes 0).
 * Backward: dx = dy·m (m is piecewise constant in x, as Keras' gradient treats it).
 * Mask: m, for the bricks that follow.
 */
import { BrickError, configObject, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const MaskingConfig = configObject(baseConfig, {
  /** A step whose features all equal this value is padding. Default: 0. */
  maskValue: z.number().default(0),
});
export type MaskingConfig = z.input<typeof MaskingConfig>;

interface MaskingCache {
  /** m with a trailing axis of 1, float32: [batch, time, 1]. */
  m: tf.Tensor;
}

/**
 * Marks the padded steps of a sequence: a step whose features all equal `maskValue` is zeroed and masked
 * for the bricks that follow (a recurrent brick skips it). The mask has the input's shape without its
 * last axis: [batch, time] for [batch, time, features].
 *
 * @example
 * const masking = new Masking({ maskValue: 0 });
 * masking.build([null, 8]); // sequences of any length, 8 features each
 */
export class Masking extends BaseLayer<typeof MaskingConfig, Record<string, never>, MaskingCache> {
  readonly supportsMasking = true;

  constructor(config: MaskingConfig = {}) {
    super('Masking', MaskingConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length < 1) {
      throw new BrickError(
        `${this.label}: input must have a feature axis, received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    return inputShape;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: MaskingCache } {
    this.checkInput(x);
    return tf.tidy(() => {
      const m = this.stepMask(x, true);
      return { y: tf.mul(x, m), cache: { m } };
    });
  }

  backward(dy: tf.Tensor, { m }: MaskingCache) {
    this.checkGrad(dy);
    return { dx: tf.mul(dy, m), grads: {} };
  }

  /** m (float32 0/1, the input's shape without its last axis); a mask reaching Masking is replaced, as in Keras. */
  computeMask(x: tf.Tensor, _mask: tf.Tensor | null): tf.Tensor {
    return tf.tidy(() => this.stepMask(x, false));
  }

  private stepMask(x: tf.Tensor, keepDims: boolean): tf.Tensor {
    return tf.cast(tf.any(tf.notEqual(x, this.config.maskValue), -1, keepDims), 'float32');
  }
}
