export { AUC, AUCConfig, aucThresholds } from './auc.js';
export { BinaryAccuracy, BinaryAccuracyConfig } from './binary-accuracy.js';
export { CategoricalAccuracy, CategoricalAccuracyConfig } from './categorical-accuracy.js';
export { ConfusionMetric } from './confusion.js';
export { MeanAbsoluteError, MeanAbsoluteErrorConfig } from './mean-absolute-error.js';
export { MeanSquaredError, MeanSquaredErrorConfig } from './mean-squared-error.js';
export { MeanMetric } from './metric.js';
export { Precision, PrecisionConfig } from './precision.js';
export { Recall, RecallConfig } from './recall.js';
export {
  METRIC_NAMES,
  type MetricClassName,
  type MetricSpec,
  type MetricSpecObject,
  MetricSpecObjectSchema,
  metricFromSpec,
} from './registry.js';
export { SparseCategoricalAccuracy, SparseCategoricalAccuracyConfig } from './sparse-categorical-accuracy.js';
