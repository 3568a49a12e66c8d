/**
 * Hinge (Keras 3): lᵢ = mean_c max(1 - yᵢc·pᵢc, 0), labels in {-1, 1}
 * Backward: d lᵢ / d pᵢc = -yᵢc·[yᵢc·pᵢc < 1] / C
 * As Keras does, a batch whose labels are all 0 or 1 is read as {-1, 1}: y ← 2y - 1.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLoss } from './base.js';

export const HingeConfig = configObject({});
export type HingeConfig = z.input<typeof HingeConfig>;

/** y ← 2y - 1 when every label is 0 or 1, else y; decided on the device (b is 1 or 0). */
export function toSigned(y: tf.Tensor): tf.Tensor {
  const b = tf.min(tf.cast(tf.logicalOr(tf.equal(y, 0), tf.equal(y, 1)), 'float32'));
  return tf.add(y, tf.mul(b, tf.sub(y, 1)));
}

/**
 * The SVM margin loss: zero once the prediction has the label's sign with a margin of 1.
 *
 * @example
 * const hinge = new Hinge();
 * const loss = hinge.value(tf.tensor2d([[1], [-1]]), tf.tensor2d([[0.3], [-2]]));
 */
export class Hinge extends BaseLoss<typeof HingeConfig> {
  readonly targets = 'elementwise';

  constructor(config: HingeConfig = {}) {
    super('Hinge', HingeConfig, config);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mean(tf.relu(tf.sub(1, tf.mul(toSigned(y), p))), -1);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const s = toSigned(y);
    const active = tf.step(tf.sub(1, tf.mul(s, p)));
    return tf.mul(tf.mul(s, active), -1 / (p.shape[p.rank - 1] as number));
  }
}
