import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { AUC } from './auc.js';
import { BinaryAccuracy } from './binary-accuracy.js';
import { CategoricalAccuracy } from './categorical-accuracy.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { Precision } from './precision.js';
import { Recall } from './recall.js';
import { METRIC_NAMES, type MetricClassName, MetricSpecObjectSchema, metricFromSpec } from './registry.js';
import { SparseCategoricalAccuracy } from './sparse-categorical-accuracy.js';

describe('metricFromSpec', () => {
  const made: { dispose(): void }[] = [];
  const build = (...args: Parameters<typeof metricFromSpec>) => {
    const m = metricFromSpec(...args);
    made.push(m);
    return m;
  };

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
    expect(() => metricFromSpec('f1')).toThrowError(BrickError);
    expect(() => metricFromSpec('f1')).toThrow(
      "metricFromSpec: unknown metric 'f1'; known metrics: accuracy, acc, binary_accuracy",
    );
    expect(() => metricFromSpec({ className: 'AUC', config: { numThresholds: 1 } })).toThrow(/AUC: numThresholds/);
    expect(() => metricFromSpec({ className: 'Recall', config: { bogus: 1 } })).toThrow(/unknown field\(s\) 'bogus'/);
    for (const m of made) m.dispose();
  });

  test('derives the Keras names and the spec schema from the table', () => {
    expect(METRIC_NAMES).toEqual([
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
    ]);
    expectTypeOf<MetricClassName>().toEqualTypeOf<
      | 'BinaryAccuracy'
      | 'CategoricalAccuracy'
      | 'SparseCategoricalAccuracy'
      | 'MeanSquaredError'
      | 'MeanAbsoluteError'
      | 'Precision'
      | 'Recall'
      | 'AUC'
    >();
    expect(MetricSpecObjectSchema.parse({ className: 'AUC', config: {} })).toEqual({
      className: 'AUC',
      config: { name: 'auc', numThresholds: 200 },
    });
    expect(MetricSpecObjectSchema.safeParse({ className: 'Precision', config: { thresholds: 2 } }).success).toBe(false);
  });
});
