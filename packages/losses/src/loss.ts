import type * as tf from '@tensorflow/tfjs-core';

/** `'categoricalCrossentropy'` or `{ className: 'CategoricalCrossentropy', config: {...} }`. */
export interface LossSpecObject {
  className: string;
  config?: Record<string, unknown>;
}

/**
 * The loss contract. `value` is Keras' "sum over batch size" reduction: Σᵢ wᵢ·lᵢ / N over the N
 * examples of the batch (wᵢ = 1 without sample weights), where lᵢ is the per-example loss (for
 * element-wise losses, the mean over the last axis). `grad` is exactly d value / d yPred.
 */
export interface Loss {
  /** Keras class name: 'MeanSquaredError', 'CategoricalCrossentropy', ... */
  readonly className: string;
  /** Validated config, JSON-safe. */
  readonly config: Record<string, unknown>;
  value(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): tf.Scalar;
  /** d value / d yPred, shaped like yPred. */
  grad(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): tf.Tensor;
  /**
   * d value / d z where yPred = activation(z), when the pair has an exact simple form (softmax with
   * categorical cross-entropy, sigmoid with binary cross-entropy: (p - y)·w/N); undefined otherwise.
   */
  fusedGrad?(activation: string, yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): tf.Tensor | undefined;
  toSpec(): { className: string; config: Record<string, unknown> };
}
