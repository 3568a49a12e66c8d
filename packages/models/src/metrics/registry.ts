/**
 * The one list of metrics: the table below. A metric is written as a Keras name ('accuracy', 'mse',
 * 'precision', in snake_case, camelCase or the class name), `{ className, config }` (config optional),
 * or a Metric instance. Only the strings 'accuracy' / 'acc' pick an accuracy by the loss and the output
 * width, as Keras does; `{ className: 'Accuracy' }` is Keras' exact-match Accuracy. Adding a metric
 * adds its file and one table line; its snake_case name comes from its class name.
 *
 * Logs hold one number per name, so a metric configured for one value per class or per threshold
 * (F1Score with average null, Precision / Recall with several thresholds) is refused here, before
 * training, with the way out in the message; made with `new`, it gives its values through `results()`.
 */
import { BrickError, entry, registry } from '@brickml/core';
import type { z } from 'zod';
import type { Metric } from '../types.js';
import { Accuracy, AccuracyConfig } from './accuracy.js';
import { AUC, AUCConfig } from './auc.js';
import { BinaryAccuracy, BinaryAccuracyConfig } from './binary-accuracy.js';
import { CategoricalAccuracy, CategoricalAccuracyConfig } from './categorical-accuracy.js';
import { F1Score, F1ScoreConfig } from './f1-score.js';
import { MeanAbsoluteError, MeanAbsoluteErrorConfig } from './mean-absolute-error.js';
import { MeanAbsolutePercentageError, MeanAbsolutePercentageErrorConfig } from './mean-absolute-percentage-error.js';
import { MeanSquaredError, MeanSquaredErrorConfig } from './mean-squared-error.js';
import { isVectorMetric, notScalarError } from './metric.js';
import { Precision, PrecisionConfig } from './precision.js';
import { Recall, RecallConfig } from './recall.js';
import { RootMeanSquaredError, RootMeanSquaredErrorConfig } from './root-mean-squared-error.js';
import { SparseCategoricalAccuracy, SparseCategoricalAccuracyConfig } from './sparse-categorical-accuracy.js';
import {
  SparseTopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracyConfig,
} from './sparse-top-k-categorical-accuracy.js';
import { TopKCategoricalAccuracy, TopKCategoricalAccuracyConfig } from './top-k-categorical-accuracy.js';

const METRICS = registry(
  'metricFromSpec',
  {
    Accuracy: entry(AccuracyConfig, (c) => new Accuracy(c)),
    BinaryAccuracy: entry(BinaryAccuracyConfig, (c) => new BinaryAccuracy(c)),
    CategoricalAccuracy: entry(CategoricalAccuracyConfig, (c) => new CategoricalAccuracy(c)),
    SparseCategoricalAccuracy: entry(SparseCategoricalAccuracyConfig, (c) => new SparseCategoricalAccuracy(c)),
    TopKCategoricalAccuracy: entry(TopKCategoricalAccuracyConfig, (c) => new TopKCategoricalAccuracy(c)),
    SparseTopKCategoricalAccuracy: entry(
      SparseTopKCategoricalAccuracyConfig,
      (c) => new SparseTopKCategoricalAccuracy(c),
    ),
    MeanSquaredError: entry(MeanSquaredErrorConfig, (c) => new MeanSquaredError(c)),
    RootMeanSquaredError: entry(RootMeanSquaredErrorConfig, (c) => new RootMeanSquaredError(c)),
    MeanAbsoluteError: entry(MeanAbsoluteErrorConfig, (c) => new MeanAbsoluteError(c)),
    MeanAbsolutePercentageError: entry(MeanAbsolutePercentageErrorConfig, (c) => new MeanAbsolutePercentageError(c)),
    Precision: entry(PrecisionConfig, (c) => new Precision(c)),
    Recall: entry(RecallConfig, (c) => new Recall(c)),
    F1Score: entry(F1ScoreConfig, (c) => new F1Score(c)),
    AUC: entry(AUCConfig, (c) => new AUC(c)),
  },
  'optional',
);

/** `{ className, config }` of a built-in metric, config optional. */
export const MetricSpecObjectSchema = METRICS.spec;
export type MetricClassName = z.input<typeof MetricSpecObjectSchema>['className'];

/** `{ className, config }` of a built-in metric, its config typed by the class. */
export type MetricSpecObject = z.input<typeof MetricSpecObjectSchema>;

/** Keras' short names, beside every class name in snake_case. */
const ALIASES = {
  mse: 'MeanSquaredError',
  mae: 'MeanAbsoluteError',
  mape: 'MeanAbsolutePercentageError',
} as const satisfies Record<string, MetricClassName>;

type IsUpper<C extends string> = C extends Lowercase<C> ? false : true;
type IsLowerLetter<C extends string> = C extends Uppercase<C> ? false : true;
/** `snake` below, on types: an underscore before a capital that follows a small letter or a digit, or that starts a word after capitals. */
type Snake<S extends string, Prev extends string = ''> = S extends `${infer C}${infer Rest}`
  ? `${Prev extends ''
      ? ''
      : IsUpper<C> extends false
        ? ''
        : IsUpper<Prev> extends false
          ? '_'
          : Rest extends `${infer Next}${string}`
            ? IsLowerLetter<Next> extends true
              ? '_'
              : ''
            : ''}${Lowercase<C>}${Snake<Rest, C>}`
  : '';
/** 'mean_squared_error' → 'meanSquaredError'. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/**
 * Every name a metric may be given by, as a literal union, so a misspelt name fails to compile: 'accuracy'
 * and 'acc', Keras' short names, and each class's snake_case, camelCase and class name
 * ('sparse_top_k_categorical_accuracy', 'sparseTopKCategoricalAccuracy', 'SparseTopKCategoricalAccuracy').
 * The table is closed: a metric of your own goes to `compile` as an object that implements `Metric`. A
 * name from outside the program (JSON) is checked at run time by `metricFromSpec`, which also takes any case
 * and underscores.
 */
export type MetricName =
  | 'accuracy'
  | 'acc'
  | keyof typeof ALIASES
  | MetricClassName
  | Snake<MetricClassName>
  | Camel<Snake<MetricClassName>>;

/** A metric in `compile`: a name, `{ className, config }` or a Metric. */
export type MetricSpec = MetricName | MetricSpecObject | Metric;

/** 'BinaryAccuracy' → 'binary_accuracy', 'AUC' → 'auc', 'meanSquaredError' → 'mean_squared_error'. */
const snake = (name: string) => name.replace(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/g, '_').toLowerCase();
const normalize = (name: string) => name.replaceAll('_', '').toLowerCase();

/**
 * Every Keras name a metric may be given by (camelCase and class names work too). 'accuracy' is the
 * accuracy picked by the loss; the exact-match class, whose snake_case name it also is, is reached
 * only by `{ className: 'Accuracy' }`.
 */
export const METRIC_NAMES: readonly MetricName[] = [
  ...new Set<MetricName>([
    'accuracy',
    'acc',
    ...METRICS.names.flatMap((n) => [
      ...(Object.keys(ALIASES) as (keyof typeof ALIASES)[]).filter((alias) => ALIASES[alias] === n),
      snake(n) as Snake<MetricClassName>,
    ]),
  ]),
];

/** Keyed by the name lowercased without underscores, so 'mean_squared_error' = 'meanSquaredError'. */
const BY_NAME = new Map<string, MetricClassName>([
  ...METRICS.names.map((n) => [normalize(n), n] as const),
  ...Object.entries(ALIASES),
]);

/** Keras' test for the strings that pick an accuracy by the loss: 'accuracy' and 'acc', any case. */
const picksByLoss = (name: string) => ['accuracy', 'acc'].includes(name.toLowerCase());

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

/** Refuses a metric whose result is several numbers: logs hold one per name. */
function checkLoggable(metric: Metric, owned: boolean): Metric {
  if (!isVectorMetric(metric) || metric.scalar) return metric;
  if (owned) metric.dispose();
  throw notScalarError(metric, `metricFromSpec: ${metric.className} '${metric.name}'`);
}

/**
 * Builds a metric for the logs. A string spec names the logs key after itself, as Keras does ('acc'
 * logs 'acc', 'mse' logs 'mse'); an object spec takes its name from `config.name` or the class default.
 * @example
 * metricFromSpec('accuracy', 'SparseCategoricalCrossentropy'); // SparseCategoricalAccuracy named 'accuracy'
 * metricFromSpec({ className: 'AUC', config: { numThresholds: 100 } });
 * metricFromSpec({ className: 'F1Score', config: { average: 'macro' } });
 */
export function metricFromSpec(spec: MetricSpec, lossClassName?: string, outputUnits?: number): Metric {
  if (isMetric(spec)) return checkLoggable(spec, false);
  const named = typeof spec === 'string';
  const raw = named ? spec : spec?.className;
  if (typeof raw !== 'string') {
    throw new BrickError(
      `metricFromSpec: spec must be a metric name, { className, config } or a Metric, received ${JSON.stringify(spec)}`,
      'metricFromSpec',
    );
  }
  if (named && picksByLoss(raw)) {
    return METRICS.create({ className: accuracyKind(lossClassName, outputUnits), config: { name: raw } });
  }
  const className = BY_NAME.get(normalize(raw));
  if (className === undefined) {
    throw new BrickError(
      `metricFromSpec: unknown metric '${raw}'; known metrics: ${METRIC_NAMES.join(', ')} (or their camelCase / class names)`,
      'metricFromSpec',
    );
  }
  if (!named) return checkLoggable(METRICS.create({ ...spec, className }), true);
  // 'mse' and 'binaryAccuracy' log under 'mse' and 'binary_accuracy'; a class name keeps the default.
  return checkLoggable(METRICS.create({ className, config: /^[a-z]/.test(raw) ? { name: snake(raw) } : {} }), true);
}
