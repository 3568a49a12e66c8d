/**
 * The one list of metrics: the table below. A metric is written as a Keras name ('accuracy', 'mse',
 * 'precision', in snake_case, camelCase or the class name), `{ className, config }` (config optional),
 * or a Metric instance. 'accuracy' / 'acc' picks its kind from the loss and the output width as Keras
 * does. Adding a metric adds its file and one table line; its snake_case name comes from its class name.
 */
import { BrickError, entry, registry } from '@brickml/core';
import type { z } from 'zod';
import type { Metric } from '../types.js';
import { AUC, AUCConfig } from './auc.js';
import { BinaryAccuracy, BinaryAccuracyConfig } from './binary-accuracy.js';
import { CategoricalAccuracy, CategoricalAccuracyConfig } from './categorical-accuracy.js';
import { MeanAbsoluteError, MeanAbsoluteErrorConfig } from './mean-absolute-error.js';
import { MeanSquaredError, MeanSquaredErrorConfig } from './mean-squared-error.js';
import { Precision, PrecisionConfig } from './precision.js';
import { Recall, RecallConfig } from './recall.js';
import { SparseCategoricalAccuracy, SparseCategoricalAccuracyConfig } from './sparse-categorical-accuracy.js';

const METRICS = registry(
  'metricFromSpec',
  {
    BinaryAccuracy: entry(BinaryAccuracyConfig, (c) => new BinaryAccuracy(c)),
    CategoricalAccuracy: entry(CategoricalAccuracyConfig, (c) => new CategoricalAccuracy(c)),
    SparseCategoricalAccuracy: entry(SparseCategoricalAccuracyConfig, (c) => new SparseCategoricalAccuracy(c)),
    MeanSquaredError: entry(MeanSquaredErrorConfig, (c) => new MeanSquaredError(c)),
    MeanAbsoluteError: entry(MeanAbsoluteErrorConfig, (c) => new MeanAbsoluteError(c)),
    Precision: entry(PrecisionConfig, (c) => new Precision(c)),
    Recall: entry(RecallConfig, (c) => new Recall(c)),
    AUC: entry(AUCConfig, (c) => new AUC(c)),
  },
  'optional',
);

/** `{ className, config }` of a built-in metric, config optional. */
export const MetricSpecObjectSchema = METRICS.spec;
export type MetricClassName = z.input<typeof MetricSpecObjectSchema>['className'];

export interface MetricSpecObject {
  className: string;
  config?: Record<string, unknown>;
}
export type MetricSpec = string | MetricSpecObject | Metric;

/** Keras' short names, beside every class name in snake_case. */
const ALIASES: Readonly<Record<string, MetricClassName>> = { mse: 'MeanSquaredError', mae: 'MeanAbsoluteError' };

/** 'BinaryAccuracy' → 'binary_accuracy', 'AUC' → 'auc', 'meanSquaredError' → 'mean_squared_error'. */
const snake = (name: string) => name.replace(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/g, '_').toLowerCase();
const normalize = (name: string) => name.replaceAll('_', '').toLowerCase();

/** Every Keras name a metric may be given by (camelCase and class names work too). */
export const METRIC_NAMES: readonly string[] = [
  'accuracy',
  'acc',
  ...METRICS.names.flatMap((n) => [...Object.keys(ALIASES).filter((alias) => ALIASES[alias] === n), snake(n)]),
];

/** Keyed by the name lowercased without underscores, so 'mean_squared_error' = 'meanSquaredError'. */
const BY_NAME = new Map<string, MetricClassName>([
  ...METRICS.names.map((n) => [normalize(n), n] as const),
  ...Object.entries(ALIASES),
]);

/** The accuracy Keras picks for 'accuracy': binary for binary cross-entropy or one output unit. */
function accuracyKind(lossClassName?: string, outputUnits?: number): MetricClassName {
  const loss = lossClassName === undefined ? '' : normalize(lossClassName);
  if (outputUnits === 1 || loss === 'binarycrossentropy' || loss === 'binaryfocalcrossentropy') return 'BinaryAccuracy';
  if (loss === 'sparsecategoricalcrossentropy') return 'SparseCategoricalAccuracy';
  return 'CategoricalAccuracy';
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
  const key = normalize(raw);
  const className = key === 'accuracy' || key === 'acc' ? accuracyKind(lossClassName, outputUnits) : BY_NAME.get(key);
  if (className === undefined) {
    throw new BrickError(
      `metricFromSpec: unknown metric '${raw}'; known metrics: ${METRIC_NAMES.join(', ')} (or their camelCase / class names)`,
      'metricFromSpec',
    );
  }
  if (!named) return METRICS.create({ ...spec, className });
  // 'acc' and 'binaryAccuracy' log under 'acc' and 'binary_accuracy'; a class name keeps the default.
  return METRICS.create({ className, config: /^[a-z]/.test(raw) ? { name: snake(raw) } : {} });
}
