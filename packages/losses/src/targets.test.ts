import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { BinaryCrossentropy } from './binary-crossentropy.js';
import { CategoricalCrossentropy } from './categorical-crossentropy.js';
import type { Loss } from './loss.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { SparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';
import { validateTargets } from './targets.js';

// Made lazily: the backend is selected in the test setup, after this module loads.
const probs = () => tf.fill([4, 3], 1 / 3);
const labels = () => tf.tensor1d([0, 2, 1, 1], 'int32');
const oneHot = () => tf.oneHot(labels(), 3);

describe('validateTargets', () => {
  test('accepts targets that fit', () => {
    expect(() => validateTargets(new CategoricalCrossentropy(), oneHot(), probs())).not.toThrow();
    expect(() => validateTargets(new SparseCategoricalCrossentropy(), labels(), probs())).not.toThrow();
    expect(() =>
      validateTargets(new SparseCategoricalCrossentropy(), tf.reshape(labels(), [4, 1]), probs()),
    ).not.toThrow();
    expect(() => validateTargets(new MeanSquaredError(), oneHot(), probs())).not.toThrow();
  });

  test('names one-hot targets given to a sparse loss', () => {
    expect(() => validateTargets(new SparseCategoricalCrossentropy(), oneHot(), probs())).toThrowError(BrickError);
    expect(() => validateTargets(new SparseCategoricalCrossentropy(), oneHot(), probs())).toThrow(
      'SparseCategoricalCrossentropy: targets (yTrue) must have shape [4] or [4, 1] (integer class indices) for predictions of shape [4, 3], received [4, 3]: these look like one-hot targets, use categoricalCrossentropy',
    );
  });

  test('names class indices given to a categorical loss', () => {
    expect(() => validateTargets(new CategoricalCrossentropy(), labels(), probs())).toThrow(
      'CategoricalCrossentropy: targets (yTrue) must have shape [4, 3] for predictions of shape [4, 3], received [4]: these look like integer class labels, use sparseCategoricalCrossentropy or one-hot encode them',
    );
  });

  test('names a shape mismatch for an element-wise loss, with the reshape that fixes a missing axis', () => {
    expect(() => validateTargets(new MeanSquaredError(), tf.zeros([4, 2]), probs())).toThrow(
      'MeanSquaredError: targets (yTrue) must have shape [4, 3] for predictions of shape [4, 3], received [4, 2]',
    );
    expect(() => validateTargets(new BinaryCrossentropy(), tf.zeros([4]), tf.zeros([4, 1]))).toThrow(
      'BinaryCrossentropy: targets (yTrue) must have shape [4, 1] for predictions of shape [4, 1], received [4]: reshape the targets to [4, 1]',
    );
  });

  test('value and grad refuse the same mismatches, and a sampleWeight of the wrong shape', () => {
    const mse = new MeanSquaredError();
    expect(() => mse.value(tf.zeros([4, 2]), probs())).toThrowError(BrickError);
    expect(() => mse.grad(tf.zeros([4, 2]), probs())).toThrowError(BrickError);
    expect(() => mse.value(oneHot(), probs(), tf.ones([3]) as tf.Tensor1D)).toThrow(
      'MeanSquaredError: sampleWeight must have shape [4] (one weight per example), received [3]',
    );
  });

  test('compares only batch sizes for a loss that does not state its targets', () => {
    const custom = { className: 'MyLoss' } as Loss;
    expect(() => validateTargets(custom, tf.zeros([4, 7]), probs())).not.toThrow();
    expect(() => validateTargets(custom, tf.zeros([5]), probs())).toThrow(
      'MyLoss: targets (yTrue) and predictions must have the same batch size, received [5] and [4, 3]',
    );
  });
});
