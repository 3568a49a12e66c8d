import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, expectTypeOf, test } from 'vitest';
import { Accuracy } from './accuracy.js';
import { AUC } from './auc.js';
import { BinaryAccuracy } from './binary-accuracy.js';
import { CategoricalAccuracy } from './categorical-accuracy.js';
import { F1Score } from './f1-score.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanAbsolutePercentageError } from './mean-absolute-percentage-error.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { Precision } from './precision.js';
import { Recall } from './recall.js';
import { METRIC_NAMES, type MetricClassName, MetricSpecObjectSchema, metricFromSpec } from './registry.js';
import { RootMeanSquaredError } from './root-mean-squared-error.js';
import { SparseCategoricalAccuracy } from './sparse-categorical-accuracy.js';
import { SparseTopKCategoricalAccuracy } from './sparse-top-k-categorical-accuracy.js';
import { TopKCategoricalAccuracy } from './top-k-categorical-accuracy.js';

describe('metricFromSpec', () => {
  const made: { dispose(): void }[] = [];
  const build = (...args: Parameters<typeof metricFromSpec>) => {
    const m = metricFromSpec(...args);
    made.push(m);
    return m;
  };
  afterAll(() => {
    for (const m of made) m.dispose();
  });

  test("'accuracy' picks its kind from the loss as Keras does", () => {
    expect(build('accuracy', 'BinaryCrossentropy')).toBeInstanceOf(BinaryAccuracy);
    expect(build('accuracy', 'binaryCrossentropy')).toBeInstanceOf(BinaryAccuracy);
    expect(build('acc', 'SparseCategoricalCrossentropy')).toBeInstanceOf(SparseCategoricalAccuracy);
    expect(build('accuracy', 'CategoricalCrossentropy')).toBeInstanceOf(CategoricalAccuracy);
    expect(build('accuracy')).toBeInstanceOf(CategoricalAccuracy);
    expect(build('accuracy', 'MeanSquaredError', 1)).toBeInstanceOf(BinaryAccuracy);
  });

  test('a string spec logs under its own name', () => {
    expect(build('accuracy', 'BinaryCrossentropy').name).toBe('accuracy');
    expect(build('acc').name).toBe('acc');
    expect(build('mse').name).toBe('mse');
    expect(build('binaryAccuracy').name).toBe('binary_accuracy');
    expect(build('AUC').name).toBe('auc');
  });

  test('accepts Keras names in snake_case, camelCase and class form', () => {
    for (const [spec, cls] of [
      ['mse', MeanSquaredError],
      ['mean_squared_error', MeanSquaredError],
      ['meanSquaredError', MeanSquaredError],
      ['mae', MeanAbsoluteError],
      ['MeanAbsoluteError', MeanAbsoluteError],
      ['precision', Precision],
      ['recall', Recall],
      ['auc', AUC],
      ['sparse_categorical_accuracy', SparseCategoricalAccuracy],
      ['categoricalAccuracy', CategoricalAccuracy],
      ['mape', MeanAbsolutePercentageError],
      ['root_mean_squared_error', RootMeanSquaredError],
      ['top_k_categorical_accuracy', TopKCategoricalAccuracy],
      ['SparseTopKCategoricalAccuracy', SparseTopKCategoricalAccuracy],
    ] as const) {
      expect(build(spec), spec).toBeInstanceOf(cls);
    }
  });

  test('builds { className, config } objects and passes Metric instances through', async () => {
    const auc = build({ className: 'AUC', config: { numThresholds: 50, name: 'roc' } }) as AUC;
    expect(auc.config.numThresholds).toBe(50);
    expect(auc.name).toBe('roc');
    const precision = build({ className: 'Precision' });
    expect(precision.name).toBe('precision');
    const mine = new Recall({ name: 'r' });
    made.push(mine);
    expect(metricFromSpec(mine)).toBe(mine);
    const p = build({ className: 'BinaryAccuracy', config: { threshold: 0.9 } });
    p.update(tf.tensor1d([1]), tf.tensor1d([0.8]));
    expect(await p.result()).toBe(0);
  });

  test('rejects unknown names listing the known ones, and bad configs naming the field', () => {
    // @ts-expect-error: not a metric name; the types refuse it before the run does
    expect(() => metricFromSpec('f1')).toThrowError(BrickError);
    // @ts-expect-error: not a metric name
    expect(() => metricFromSpec('f1')).toThrow(
      "metricFromSpec: unknown metric 'f1'; known metrics: accuracy, acc, binary_accuracy",
    );
    expect(() => metricFromSpec({ className: 'AUC', config: { numThresholds: 1 } })).toThrow(/AUC: numThresholds/);
    // @ts-expect-error: not a field of Recall's config
    expect(() => metricFromSpec({ className: 'Recall', config: { bogus: 1 } })).toThrow(/unknown field\(s\) 'bogus'/);
  });

  test("{ className: 'Accuracy' } is Keras' exact-match Accuracy, whatever the loss", async () => {
    for (const loss of [undefined, 'CategoricalCrossentropy', 'BinaryCrossentropy']) {
      const m = build({ className: 'Accuracy' }, loss);
      expect(m.name).toBe('accuracy');
      const yTrue = tf.tensor2d([[1], [2], [3], [4]]);
      const yPred = tf.tensor2d([[0], [2], [3], [4]]);
      m.update(yTrue, yPred);
      expect(await m.result(), String(loss)).toBeCloseTo(0.75, 6);
      tf.dispose([yTrue, yPred]);
    }
  });

  test('creating and disposing every registered metric leaves no tensor behind', () => {
    // F1Score's default (average null) is one score per class, which the logs refuse: average it here.
    const specs = METRIC_NAMES.map((name) =>
      name === 'f1_score' ? { className: 'F1Score' as const, config: { average: 'macro' as const } } : name,
    );
    for (const spec of specs) {
      const before = tf.memory().numTensors;
      metricFromSpec(spec).dispose();
      expect(tf.memory().numTensors, JSON.stringify(spec)).toBe(before);
    }
  });

  test("only the strings 'accuracy' and 'acc' (any case) pick by the loss, logging under themselves", () => {
    const upper = build('Accuracy', 'SparseCategoricalCrossentropy');
    expect(upper).toBeInstanceOf(SparseCategoricalAccuracy);
    expect(upper.name).toBe('Accuracy');
    expect(build({ className: 'Accuracy' }, 'SparseCategoricalCrossentropy')).toBeInstanceOf(Accuracy);
    expect(build(new Accuracy({ name: 'exact' }), 'BinaryCrossentropy')).toBeInstanceOf(Accuracy);
  });

  test('refuses, for the logs, metrics that give one value per class or per threshold', () => {
    expect(() => metricFromSpec('f1_score')).toThrow(
      "metricFromSpec: F1Score 'f1_score': average null gives one score per class; average them with 'micro', 'macro' or 'weighted', and logs hold one number per name (results() reads every value)",
    );
    expect(() => metricFromSpec({ className: 'Precision', config: { thresholds: [0.3, 0.7] } })).toThrow(
      "metricFromSpec: Precision 'precision': 2 thresholds give one value each; give each threshold its own metric and name",
    );
    const mine = new Recall({ thresholds: [0.2, 0.4, 0.6] });
    made.push(mine);
    expect(() => metricFromSpec(mine)).toThrow(/Recall 'recall': 3 thresholds give one value each/);
    expect(build({ className: 'F1Score', config: { average: 'weighted' } })).toBeInstanceOf(F1Score);
    expect(build({ className: 'Recall', config: { thresholds: [0.7] } })).toBeInstanceOf(Recall);
  });

  test('a metric refused by the logs leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    expect(() => metricFromSpec({ className: 'Recall', config: { thresholds: [0.3, 0.7] } })).toThrow(BrickError);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('derives the Keras names and the spec schema from the table', () => {
    expect(METRIC_NAMES).toEqual([
      'accuracy',
      'acc',
      'binary_accuracy',
      'categorical_accuracy',
      'sparse_categorical_accuracy',
      'top_k_categorical_accuracy',
      'sparse_top_k_categorical_accuracy',
      'mse',
      'mean_squared_error',
      'root_mean_squared_error',
      'mae',
      'mean_absolute_error',
      'mape',
      'mean_absolute_percentage_error',
      'precision',
      'recall',
      'f1_score',
      'auc',
    ]);
    expectTypeOf<MetricClassName>().toEqualTypeOf<
      | 'Accuracy'
      | 'BinaryAccuracy'
      | 'CategoricalAccuracy'
      | 'SparseCategoricalAccuracy'
      | 'TopKCategoricalAccuracy'
      | 'SparseTopKCategoricalAccuracy'
      | 'MeanSquaredError'
      | 'RootMeanSquaredError'
      | 'MeanAbsoluteError'
      | 'MeanAbsolutePercentageError'
      | 'Precision'
      | 'Recall'
      | 'F1Score'
      | 'AUC'
    >();
    expect(MetricSpecObjectSchema.parse({ className: 'AUC', config: {} })).toEqual({
      className: 'AUC',
      config: { name: 'auc', numThresholds: 200, fromLogits: false },
    });
    expect(MetricSpecObjectSchema.parse({ className: 'F1Score' })).toEqual({ className: 'F1Score' });
    expect(MetricSpecObjectSchema.parse({ className: 'F1Score', config: {} })).toEqual({
      className: 'F1Score',
      config: { name: 'f1_score', average: null, threshold: null },
    });
    expect(MetricSpecObjectSchema.safeParse({ className: 'Precision', config: { thresholds: 2 } }).success).toBe(false);
  });
});
