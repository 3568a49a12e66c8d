/**
 * Metrics from their specs: a Keras name ('accuracy', 'mse', 'precision', in snake_case, camelCase or
 * the class name), `{ className, config }`, or a Metric instance. 'accuracy' / 'acc' picks its kind
 * from the loss and the output width as Keras does.
 */
import { BrickError } from '@brickml/core';
import type { Metric } from '../types.js';
import { AUC } from './auc.js';
import { BinaryAccuracy } from './binary-accuracy.js';
import { CategoricalAccuracy } from './categorical-accuracy.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { Precision } from './precision.js';
import { Recall } from './recall.js';
import { SparseCategoricalAccuracy } from './sparse-categorical-accuracy.js';

export interface MetricSpecObject {
  className: string;
  config?: Record<string, unknown>;
}
export type MetricSpec = string | MetricSpecObject | Metric;

type Factory = (config: Record<string, unknown>) => Metric;

/** Keyed by the name lowercased without underscores, so 'mean_squared_error' = 'meanSquaredError'. */
const FACTORIES: Record<string, Factory> = {
  binaryaccuracy: (c) => new BinaryAccuracy(c),
  categoricalaccuracy: (c) => new CategoricalAccuracy(c),
  sparsecategoricalaccuracy: (c) => new SparseCategoricalAccuracy(c),
  meansquarederror: (c) => new MeanSquaredError(c),
  mse: (c) => new MeanSquaredError(c),
  meanabsoluteerror: (c) => new MeanAbsoluteError(c),
  mae: (c) => new MeanAbsoluteError(c),
  precision: (c) => new Precision(c),
  recall: (c) => new Recall(c),
  auc: (c) => new AUC(c),
};

export const METRIC_NAMES = [
  'accuracy',
  'acc',
  'binary_accuracy',
  'categorical_accuracy',
  'sparse_categorical_accuracy',
  'mse',
  'mean_squared_error',
  'mae',
  'mean_absolute_error',
  'precision',
  'recall',
  'auc',
] as const;

const normalize = (name: string) => name.replaceAll('_', '').toLowerCase();
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The accuracy Keras picks for 'accuracy': binary for binary cross-entropy or one output unit. */
function accuracyKind(lossClassName?: string, outputUnits?: number): string {
  const loss = lossClassName === undefined ? '' : normalize(lossClassName);
  if (outputUnits === 1 || loss === 'binarycrossentropy' || loss === 'binaryfocalcrossentropy') return 'binaryaccuracy';
  if (loss === 'sparsecategoricalcrossentropy') return 'sparsecategoricalaccuracy';
  return 'categoricalaccuracy';
}

function isMetric(spec: unknown): spec is Metric {
  return typeof spec === 'object' && spec !== null && typeof (spec as Metric).update === 'function';
}

/**
 * Builds a metric. A string spec names the logs key after itself, as Keras does ('acc' logs 'acc',
 * 'mse' logs 'mse'); an object spec takes its name from `config.name` or the class default.
 * @example
 * metricFromSpec('accuracy', 'SparseCategoricalCrossentropy'); // SparseCategoricalAccuracy named 'accuracy'
 * metricFromSpec({ className: 'AUC', config: { numThresholds: 100 } });
 */
export function metricFromSpec(spec: MetricSpec, lossClassName?: string, outputUnits?: number): Metric {
  if (isMetric(spec)) return spec;
  const named = typeof spec === 'string';
  const raw = named ? spec : spec?.className;
  if (typeof raw !== 'string') {
    throw new BrickError(
      `metricFromSpec: spec must be a metric name, { className, config } or a Metric, received ${JSON.stringify(spec)}`,
      'metricFromSpec',
    );
  }
  let key = normalize(raw);
  if (key === 'accuracy' || key === 'acc') key = accuracyKind(lossClassName, outputUnits);
  const factory = FACTORIES[key];
  if (factory === undefined) {
    throw new BrickError(
      `metricFromSpec: unknown metric '${raw}'; known metrics: ${METRIC_NAMES.join(', ')} (or their camelCase / class names)`,
      'metricFromSpec',
    );
  }
  // 'acc' and 'binaryAccuracy' log under 'acc' and 'binary_accuracy'; a class name keeps the default.
  const config = named ? (/^[a-z]/.test(raw) ? { name: snake(raw) } : {}) : { ...(spec.config ?? {}) };
  return factory(config);
}
