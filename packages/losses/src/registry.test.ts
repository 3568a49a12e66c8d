import { BrickError } from '@brickml/core';
import { describe, expect, test } from 'vitest';
import { BinaryCrossentropy } from './binary-crossentropy.js';
import { CategoricalCrossentropy } from './categorical-crossentropy.js';
import { CategoricalHinge } from './categorical-hinge.js';
import { CosineSimilarity } from './cosine-similarity.js';
import { Hinge } from './hinge.js';
import { Huber } from './huber.js';
import { KLDivergence } from './kl-divergence.js';
import { LogCosh } from './log-cosh.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { Poisson } from './poisson.js';
import { type LossName, LossSpec, lossFromSpec } from './registry.js';
import { SparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';
import { SquaredHinge } from './squared-hinge.js';

describe('lossFromSpec', () => {
  test.each([
    ['categoricalCrossentropy', 'CategoricalCrossentropy'],
    ['categorical_crossentropy', 'CategoricalCrossentropy'],
    ['sparseCategoricalCrossentropy', 'SparseCategoricalCrossentropy'],
    ['sparse_categorical_crossentropy', 'SparseCategoricalCrossentropy'],
    ['binaryCrossentropy', 'BinaryCrossentropy'],
    ['binary_crossentropy', 'BinaryCrossentropy'],
    ['meanSquaredError', 'MeanSquaredError'],
    ['mean_squared_error', 'MeanSquaredError'],
    ['mse', 'MeanSquaredError'],
    ['MSE', 'MeanSquaredError'],
    ['meanAbsoluteError', 'MeanAbsoluteError'],
    ['mean_absolute_error', 'MeanAbsoluteError'],
    ['mae', 'MeanAbsoluteError'],
    ['hinge', 'Hinge'],
    ['huber', 'Huber'],
    ['Huber', 'Huber'],
    ['klDivergence', 'KLDivergence'],
    ['kl_divergence', 'KLDivergence'],
    ['kld', 'KLDivergence'],
    ['KLD', 'KLDivergence'],
    ['kullback_leibler_divergence', 'KLDivergence'],
    ['KLDivergence', 'KLDivergence'],
    ['poisson', 'Poisson'],
    ['Poisson', 'Poisson'],
    ['logCosh', 'LogCosh'],
    ['log_cosh', 'LogCosh'],
    ['logcosh', 'LogCosh'],
    ['LogCosh', 'LogCosh'],
    ['categoricalHinge', 'CategoricalHinge'],
    ['categorical_hinge', 'CategoricalHinge'],
    ['CategoricalHinge', 'CategoricalHinge'],
    ['squaredHinge', 'SquaredHinge'],
    ['squared_hinge', 'SquaredHinge'],
    ['SquaredHinge', 'SquaredHinge'],
    ['cosineSimilarity', 'CosineSimilarity'],
    ['cosine_similarity', 'CosineSimilarity'],
    ['CosineSimilarity', 'CosineSimilarity'],
  ])('builds %s as %s with the Keras defaults', (name, className) => {
    const loss = lossFromSpec(name as LossName);
    expect(loss.className).toBe(className);
    expect(lossFromSpec({ className } as LossSpec).toSpec()).toEqual(loss.toSpec());
    expect(LossSpec.safeParse(name).success).toBe(true);
  });

  test.each([
    new MeanSquaredError(),
    new MeanAbsoluteError(),
    new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
    new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2, axis: 1 }),
    new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 }),
    new Hinge(),
    new Huber({ delta: 2.5 }),
    new KLDivergence(),
    new Poisson(),
    new LogCosh(),
    new CategoricalHinge(),
    new SquaredHinge(),
    new CosineSimilarity({ axis: 1 }),
  ])('round-trips the spec of $className through JSON', (loss) => {
    const spec = loss.toSpec();
    const again = lossFromSpec(JSON.parse(JSON.stringify(spec)));
    expect(again.toSpec()).toEqual(spec);
    expect(again.className).toBe(loss.className);
  });

  test('states every default in the spec', () => {
    expect(lossFromSpec('categoricalCrossentropy').toSpec()).toEqual({
      className: 'CategoricalCrossentropy',
      config: { fromLogits: false, labelSmoothing: 0, axis: -1 },
    });
    expect(lossFromSpec('huber').toSpec()).toEqual({ className: 'Huber', config: { delta: 1 } });
    expect(lossFromSpec('sparse_categorical_crossentropy').toSpec()).toEqual({
      className: 'SparseCategoricalCrossentropy',
      config: { fromLogits: false, ignoreClass: null },
    });
    expect(lossFromSpec('cosine_similarity').toSpec()).toEqual({ className: 'CosineSimilarity', config: { axis: -1 } });
  });

  test('returns a Loss object as it is', () => {
    const loss = new Huber();
    expect(lossFromSpec(loss)).toBe(loss);
  });

  test('rejects an unknown name, listing the known ones', () => {
    // @ts-expect-error: not a loss name; the types refuse it before the run does
    expect(() => lossFromSpec('crossentropy')).toThrowError(BrickError);
    // @ts-expect-error: not a loss name
    expect(() => lossFromSpec('crossentropy')).toThrow(
      /lossFromSpec: unknown loss "crossentropy", expected one of meanSquaredError, .*categoricalCrossentropy, .*huber/,
    );
    // @ts-expect-error: not a loss name
    expect(() => lossFromSpec('toString')).toThrow(/unknown loss "toString"/);
  });

  test('rejects an unknown className, listing the known ones', () => {
    // @ts-expect-error: not a loss class
    expect(() => lossFromSpec({ className: 'Dice' })).toThrow(
      'lossFromSpec: unknown className "Dice", expected one of MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Hinge, Huber, KLDivergence, Poisson, LogCosh, CategoricalHinge, SquaredHinge, CosineSimilarity',
    );
  });

  test('rejects a bad config naming the loss, the field and the value', () => {
    expect(() => lossFromSpec({ className: 'Huber', config: { delta: -1 } })).toThrow(
      'Huber: delta must be positive, received -1',
    );
    expect(() => lossFromSpec({ className: 'BinaryCrossentropy', config: { labelSmoothing: 2 } })).toThrow(
      'BinaryCrossentropy: labelSmoothing must be in [0, 1], received 2',
    );
    // @ts-expect-error: not a field of MeanSquaredError's config
    expect(() => lossFromSpec({ className: 'MeanSquaredError', config: { reduction: 'sum' } })).toThrow(
      "MeanSquaredError: unknown field(s) 'reduction'",
    );
    expect(() => lossFromSpec({ className: 'SparseCategoricalCrossentropy', config: { ignoreClass: 2.5 } })).toThrow(
      'SparseCategoricalCrossentropy: ignoreClass must be an integer or null, received 2.5',
    );
  });
});
