import { BrickError } from '@brickml/core';
import { forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { BinaryCrossentropy } from './binary-crossentropy.js';
import { CategoricalCrossentropy } from './categorical-crossentropy.js';
import type { Loss } from './loss.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { SparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';
import { checkSparseLabels, validateLabels, validateTargets } from './targets.js';

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
    expect(() => mse.value(oneHot(), probs(), tf.ones([3]))).toThrow(
      'MeanSquaredError: sampleWeight must be a scalar, [4] or [4, 1] (one per example), received [3]',
    );
    expect(() => mse.grad(tf.zeros([4, 5, 3]), tf.zeros([4, 5, 3]), tf.ones([4, 2]))).toThrow(
      'MeanSquaredError: sampleWeight must be a scalar, [4] or [4, 1] (one per example) or [4, 5] (one per position), received [4, 2]',
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

describe('checkSparseLabels', () => {
  test('a label equal to the class count trains silently without the check', async () => {
    // The one-hot row of label 3 for 3 classes is all zeros, so the cross-entropy is a plain number.
    const value = new SparseCategoricalCrossentropy().value(tf.tensor1d([0, 3], 'int32'), tf.fill([2, 3], 1 / 3));
    expect(Number.isFinite((await value.data())[0])).toBe(true);
  });

  forEachBackend(() => {
    test('refuses the first label outside [0, classes), naming it and its index', async () => {
      await expect(checkSparseLabels('fit', tf.tensor1d([0, 2, 3, -1], 'int32'), 3)).rejects.toThrow(
        'fit: labels must be integer class indices in [0, 3), received 3 at index 2',
      );
      await expect(checkSparseLabels('fit', tf.tensor1d([0, 1, 9, 10, 4]), 10)).rejects.toThrow(
        'fit: labels must be integer class indices in [0, 10), received 10 at index 3',
      );
      await expect(checkSparseLabels('fit', tf.tensor1d([0, -1, 2, 1]), 3)).rejects.toThrowError(BrickError);
      await expect(checkSparseLabels('fit', tf.tensor1d([0, -1, 2, 1]), 3)).rejects.toThrow('received -1 at index 1');
    });

    test('refuses a label that is not an integer, and NaN', async () => {
      await expect(checkSparseLabels('fit', tf.tensor2d([[1], [2.5]]), 3)).rejects.toThrow(
        'received 2.5 at index [1, 0]',
      );
      await expect(checkSparseLabels('fit', tf.tensor1d([1, Number.NaN]), 3)).rejects.toThrow(
        'received NaN at index 1',
      );
    });

    test('names the position of a bad label in a sequence of labels', async () => {
      const labels = tf.tensor2d(
        [
          [0, 1, 2],
          [2, 7, 1],
        ],
        [2, 3],
        'int32',
      );
      await expect(checkSparseLabels('evaluate', labels, 3)).rejects.toThrow(
        'evaluate: labels must be integer class indices in [0, 3), received 7 at index [1, 1]',
      );
    });

    test('accepts good labels and ignoreClass, and leaves no tensor behind', async () => {
      const before = tf.memory().numTensors;
      await checkSparseLabels('fit', tf.tensor1d([0, 2, 1, 2], 'int32'), 3);
      await checkSparseLabels('fit', tf.tensor1d([0, 255, 2], 'int32'), 3, 255);
      await expect(checkSparseLabels('fit', tf.tensor1d([0, 255, -1], 'int32'), 3, 255)).rejects.toThrow(
        'fit: labels must be integer class indices in [0, 3) (or ignoreClass 255), received -1 at index 2',
      );
      // The label tensors made above are the only ones left.
      expect(tf.memory().numTensors).toBe(before + 3);
    });
  });

  test('validateLabels checks sparse losses only, with their ignoreClass and class count', async () => {
    const labels = tf.tensor1d([0, 3, -1], 'int32');
    await expect(validateLabels(new SparseCategoricalCrossentropy(), labels, [4, 3])).rejects.toThrow(
      'SparseCategoricalCrossentropy: labels must be integer class indices in [0, 3), received 3 at index 1',
    );
    await expect(
      validateLabels(new SparseCategoricalCrossentropy({ ignoreClass: -1 }), labels, [4], 'fit: output'),
    ).resolves.toBeUndefined();
    await expect(validateLabels(new MeanSquaredError(), labels, [3])).resolves.toBeUndefined();
  });
});
