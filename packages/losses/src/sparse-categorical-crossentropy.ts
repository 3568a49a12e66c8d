/**
 * SparseCategoricalCrossentropy (Keras 3): categorical cross-entropy with y = oneHot(label) over the last
 * axis. Probabilities: lᵢ = -log clip(p_label / Σp, ε, 1 - ε); logits: lᵢ = logSumExp(z) - z_label.
 * Backward: as CategoricalCrossentropy with one-hot y; logits: softmax(z) - y; fused with softmax: p - y.
 * Labels of shape [N] or [N, 1]; a label outside [0, C) gives a zero row (no read back to check it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLoss } from './base.js';
import { logitXent, logitXentGrad, probabilityXent, probabilityXentGrad } from './categorical-crossentropy.js';

export const SparseCategoricalCrossentropyConfig = z.strictObject({
  /** yPred holds logits rather than probabilities. Default: false. */
  fromLogits: z.boolean().default(false),
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
 * Cross-entropy for integer class labels, without one-hot encoding them first.
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

  protected perExample(labels: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const y = oneHotLike(labels, p);
    return this.config.fromLogits ? logitXent(y, p, -1) : probabilityXent(y, p, -1);
  }

  protected perExampleGrad(labels: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const y = oneHotLike(labels, p);
    return this.config.fromLogits ? logitXentGrad(y, p, -1) : probabilityXentGrad(y, p, -1);
  }

  protected override perExampleFused(activation: string, labels: tf.Tensor, p: tf.Tensor): tf.Tensor | undefined {
    if (activation !== 'softmax' || this.config.fromLogits) return undefined;
    return tf.sub(p, oneHotLike(labels, p));
  }
}
