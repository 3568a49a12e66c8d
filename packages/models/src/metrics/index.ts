export { Accuracy, AccuracyConfig } from './accuracy.js';
export { AUC, AUCConfig, aucThresholds } from './auc.js';
export { BinaryAccuracy, BinaryAccuracyConfig } from './binary-accuracy.js';
export { CategoricalAccuracy, CategoricalAccuracyConfig } from './categorical-accuracy.js';
export { type ConfusionFields, ConfusionMetric } from './confusion.js';
export { F1Score, F1ScoreConfig } from './f1-score.js';
export { MeanAbsoluteError, MeanAbsoluteErrorConfig } from './mean-absolute-error.js';
export { MeanAbsolutePercentageError, MeanAbsolutePercentageErrorConfig } from './mean-absolute-percentage-error.js';
export { MeanSquaredError, MeanSquaredErrorConfig } from './mean-squared-error.js';
export { isVectorMetric, MeanMetric, type VectorMetric } from './metric.js';
export { Precision, PrecisionConfig } from './precision.js';
export { Recall, RecallConfig } from './recall.js';
export {
  METRIC_NAMES,
  type MetricClassName,
  type MetricName,
  type MetricSpec,
  type MetricSpecObject,
  MetricSpecObjectSchema,
  metricFromSpec,
} from './registry.js';
export { RootMeanSquaredError, RootMeanSquaredErrorConfig } from './root-mean-squared-error.js';
export { SparseCategoricalAccuracy, SparseCategoricalAccuracyConfig } from './sparse-categorical-accuracy.js';
export {
  SparseTopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracyConfig,
} from './sparse-top-k-categorical-accuracy.js';
export { TopKCategoricalAccuracy, TopKCategoricalAccuracyConfig } from './top-k-categorical-accuracy.js';
