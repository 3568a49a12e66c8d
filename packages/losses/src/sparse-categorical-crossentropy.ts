/**
 * SparseCategoricalCrossentropy (Keras 3): categorical cross-entropy with y = oneHot(label) over the last
 * axis. Probabilities: lₖ = -log clip(p_label / Σp, ε, 1 - ε); logits: lₖ = logSumExp(z) - z_label.
 * Backward: as CategoricalCrossentropy with one-hot y; logits: softmax(z) - y; fused with softmax: p - y.
 * ignoreClass: positions labelled with it give lₖ = 0 and d lₖ = 0 and leave the mean (value = Σ kept / #kept).
 * Labels of shape [N] or [N, 1] ([N, T] or [N, T, 1] for sequences). A label outside [0, C) would give a
 * zero row: checkSparseLabels refuses it before training (a read back the loss itself does not make).
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLoss } from './base.js';
import { logitXent, logitXentGrad, probabilityXent, probabilityXentGrad } from './categorical-crossentropy.js';

export const SparseCategoricalCrossentropyConfig = configObject({
  /** yPred holds logits rather than probabilities. Default: false. */
  fromLogits: z.boolean().default(false),
  /**
   * A label that marks positions to leave out (a "void" class in segmentation maps, often -1 or 255):
   * they add nothing and the mean runs over the other positions. Default: null (every position counts).
   */
  ignoreClass: z.int({ error: 'must be an integer or null' }).nullable().default(null),
});
export type SparseCategoricalCrossentropyConfig = z.input<typeof SparseCategoricalCrossentropyConfig>;

/** Integer labels (shape yPred[:-1] or yPred[:-1] + [1]) as one-hot rows shaped like p. */
function oneHotLike(labels: tf.Tensor, p: tf.Tensor): tf.Tensor {
  const classes = p.shape[p.rank - 1] as number;
  // int32 then cast: wasm's OneHot kernel writes int32 bits whatever dtype is asked for (tfjs 4.22).
  const y = tf.cast(tf.oneHot(tf.reshape(labels, [-1]) as tf.Tensor1D, classes), 'float32');
  return tf.reshape(y, p.shape);
}

/**
 * Cross-entropy for integer class labels, without one-hot encoding them first. With `ignoreClass`,
 * positions carrying that label are left out of the loss and of its mean.
 *
 * @example
 * const loss = new SparseCategoricalCrossentropy({ fromLogits: true });
 * const value = loss.value(tf.tensor1d([2, 0], 'int32'), logits);
 */
export class SparseCategoricalCrossentropy extends BaseLoss<typeof SparseCategoricalCrossentropyConfig> {
  readonly targets = 'sparse';

  constructor(config: SparseCategoricalCrossentropyConfig = {}) {
    super('SparseCategoricalCrossentropy', SparseCategoricalCrossentropyConfig, config);
  }

  /** One-hot targets; ignored positions (masked out by the base) read as class 0, as Keras does. */
  private targetsFor(labels: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const { ignoreClass } = this.config;
    const kept = ignoreClass === null ? labels : tf.where(tf.equal(labels, ignoreClass), tf.zerosLike(labels), labels);
    return oneHotLike(kept, p);
  }

  protected override positionMask(labels: tf.Tensor, p: tf.Tensor): tf.Tensor | undefined {
    const { ignoreClass } = this.config;
    if (ignoreClass === null) return undefined;
    return tf.notEqual(tf.reshape(labels, p.shape.slice(0, -1)), ignoreClass);
  }

  protected perExample(labels: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const y = this.targetsFor(labels, p);
    return this.config.fromLogits ? logitXent(y, p, -1) : probabilityXent(y, p, -1);
  }

  protected perExampleGrad(labels: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const y = this.targetsFor(labels, p);
    return this.config.fromLogits ? logitXentGrad(y, p, -1) : probabilityXentGrad(y, p, -1);
  }

  protected override perExampleFused(activation: string, labels: tf.Tensor, p: tf.Tensor): tf.Tensor | undefined {
    if (activation !== 'softmax' || this.config.fromLogits) return undefined;
    return tf.sub(p, this.targetsFor(labels, p));
  }
}
