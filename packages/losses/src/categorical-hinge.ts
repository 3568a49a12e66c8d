/**
 * CategoricalHinge (Keras 3 `categorical_hinge`): pos = Σ_c yc·pc, neg = max_c (1 - yc)·pc,
 * lₖ = max(neg - pos + 1, 0); y one-hot ({0, 1}) or in {-1, 1}, used as given.
 * Backward, where neg - pos + 1 > 0: d lₖ / d pc = (1 - yc)·ac - yc, else 0; ac = 1/k on the k entries
 * reaching the max (1 on the one argmax; ties split as TensorFlow splits a max's gradient), 0 elsewhere.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLoss } from './base.js';

export const CategoricalHingeConfig = configObject({});
export type CategoricalHingeConfig = z.input<typeof CategoricalHingeConfig>;

/**
 * The multi-class margin loss: zero once the true class' score beats every other score by 1.
 *
 * @example
 * const hinge = new CategoricalHinge();
 * const loss = hinge.value(tf.tensor2d([[0, 1, 0]]), tf.tensor2d([[0.2, 0.9, 0.4]])); // 1 + 0.4 - 0.9
 */
export class CategoricalHinge extends BaseLoss<typeof CategoricalHingeConfig> {
  readonly targets = 'categorical';

  constructor(config: CategoricalHingeConfig = {}) {
    super('CategoricalHinge', CategoricalHingeConfig, config);
  }

  /** neg - pos + 1 per position, and the (1 - y)·p it took the max of. */
  private margin(y: tf.Tensor, p: tf.Tensor): { m: tf.Tensor; others: tf.Tensor } {
    const others = tf.mul(tf.sub(1, y), p);
    const m = tf.add(tf.sub(tf.max(others, -1), tf.sum(tf.mul(y, p), -1)), 1);
    return { m, others };
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.relu(this.margin(y, p).m);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const { m, others } = this.margin(y, p);
    const atMax = tf.cast(tf.equal(others, tf.max(others, -1, true)), 'float32');
    const a = tf.div(atMax, tf.sum(atMax, -1, true));
    const active = tf.expandDims(tf.cast(tf.greater(m, 0), 'float32'), -1);
    return tf.mul(tf.sub(tf.mul(tf.sub(1, y), a), y), active);
  }
}
