import type * as tf from '@tensorflow/tfjs-core';

/** `'categoricalCrossentropy'` or `{ className: 'CategoricalCrossentropy', config: {...} }`. */
export interface LossSpecObject {
  className: string;
  config?: Record<string, unknown>;
}

/**
 * The loss contract. `value` is Keras' "sum over batch size" reduction: Σₖ wₖ·lₖ / M over the M
 * positions of the batch, where lₖ is the per-position loss (yPred without its reduced axis: one per
 * example for [N, C], one per time step for [N, T, C]; for element-wise losses, the mean over the last
 * axis) and wₖ its sample weight (1 without). `grad` is exactly d value / d yPred.
 *
 * `sampleWeight`, as Keras takes it: a scalar (one weight for all), [N] or [N, 1] (one per example), or
 * [N, T] (one per position, for [N, T, C] predictions). The divisor M stays the number of positions.
 */
export interface Loss {
  /** Keras class name: 'MeanSquaredError', 'CategoricalCrossentropy', ... */
  readonly className: string;
  /** Validated config, JSON-safe. */
  readonly config: Record<string, unknown>;
  value(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Scalar;
  /** d value / d yPred, shaped like yPred. */
  grad(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Tensor;
  /**
   * d value / d z where yPred = activation(z), when the pair has an exact simple form (softmax with
   * categorical cross-entropy, sigmoid with binary cross-entropy: (p - y)·w/N); undefined otherwise.
   */
  fusedGrad?(activation: string, yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Tensor | undefined;
  toSpec(): { className: string; config: Record<string, unknown> };
}
