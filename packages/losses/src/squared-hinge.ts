/**
 * SquaredHinge (Keras 3 `squared_hinge`): lₖ = mean_c max(1 - yc·pc, 0)², labels in {-1, 1}
 * (a batch of 0/1 labels is read as -1/1, as Hinge does).
 * Backward: d lₖ / d pc = -2·yc·max(1 - yc·pc, 0) / C.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLoss } from './base.js';
import { toSigned } from './hinge.js';

export const SquaredHingeConfig = configObject({});
export type SquaredHingeConfig = z.input<typeof SquaredHingeConfig>;

/**
 * The hinge loss squared: smooth at the margin, and harder on large violations.
 *
 * @example
 * const hinge = new SquaredHinge();
 * const loss = hinge.value(tf.tensor2d([[1], [-1]]), tf.tensor2d([[0.3], [-2]])); // (0.49 + 0) / 2
 */
export class SquaredHinge extends BaseLoss<typeof SquaredHingeConfig> {
  readonly targets = 'elementwise';

  constructor(config: SquaredHingeConfig = {}) {
    super('SquaredHinge', SquaredHingeConfig, config);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mean(tf.square(tf.relu(tf.sub(1, tf.mul(toSigned(y), p)))), -1);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const s = toSigned(y);
    const slack = tf.relu(tf.sub(1, tf.mul(s, p)));
    return tf.mul(tf.mul(s, slack), -2 / (p.shape[p.rank - 1] as number));
  }
}
