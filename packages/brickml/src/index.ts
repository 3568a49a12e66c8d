/**
 * Everything in one import: `@brickml/core`, `@brickml/layers`, `@brickml/losses`, `@brickml/optimizers` and
 * `@brickml/models`. Where a loss and a metric share a Keras name, the plain name is the loss and the metric has
 * a `Metric` suffix (`MeanSquaredErrorMetric`).
 *
 * @module brickml
 */
export * from '@brickml/core';
export * from '@brickml/layers';
export * from '@brickml/losses';
// Keras has both keras.losses.MeanSquaredError and keras.metrics.MeanSquaredError. Flat, the plain names
// are the losses; the metrics keep theirs in @brickml/models and get a Metric suffix here.
export {
  MeanAbsoluteError,
  MeanAbsoluteErrorConfig,
  MeanSquaredError,
  MeanSquaredErrorConfig,
} from '@brickml/losses';
export * from '@brickml/models';
export {
  MeanAbsoluteError as MeanAbsoluteErrorMetric,
  MeanAbsoluteErrorConfig as MeanAbsoluteErrorMetricConfig,
  MeanSquaredError as MeanSquaredErrorMetric,
  MeanSquaredErrorConfig as MeanSquaredErrorMetricConfig,
} from '@brickml/models';
export * from '@brickml/optimizers';
