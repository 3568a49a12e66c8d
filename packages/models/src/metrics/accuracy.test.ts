import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Accuracy } from './accuracy.js';

type Values = number[] | number[][];

/** Streams the batches into a fresh Accuracy and reads it once. */
async function accuracy(batches: [Values, Values, Values?][]): Promise<number> {
  const m = new Accuracy();
  for (const [yTrue, yPred, w] of batches) {
    const tensors = [tf.tensor(yTrue), tf.tensor(yPred), ...(w ? [tf.tensor(w)] : [])] as const;
    m.update(tensors[0], tensors[1], tensors[2]);
    tf.dispose([...tensors]);
  }
  const value = await m.result();
  m.dispose();
  return value;
}

describe('Accuracy', () => {
  forEachBackend(() => {
    // Golden values: Keras 3, keras/src/metrics/accuracy_metrics_test.py (AccuracyTest) and the docstring.
    test('matches Keras: unweighted, weighted, rank 1 and per-element weights', async () => {
      const yTrue = [[1], [2], [3], [4]];
      const yPred = [[0], [2], [3], [4]];
      expect(await accuracy([[yTrue, yPred]])).toBeCloseTo(0.75, 6);
      expect(await accuracy([[yTrue, yPred, [1, 1, 0, 0]]])).toBeCloseTo(0.5, 6);
      expect(
        await accuracy([
          [
            [1, 2, 3, 4],
            [0, 2, 3, 4],
            [1, 1, 0, 0],
          ],
        ]),
      ).toBeCloseTo(0.5, 6);
      const nd: [Values, Values, Values] = [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [0, 2],
          [3, 4],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ];
      expect(await accuracy([nd])).toBeCloseTo(0.5, 6);
    });

    test('streams the whole epoch: two batches give the result of one', async () => {
      const split = await accuracy([
        [
          [[1], [2]],
          [[0], [2]],
          [3, 1],
        ],
        [
          [[3], [4], [5]],
          [[3], [0], [5]],
          [1, 2, 1],
        ],
      ]);
      // hits weighted 0·3 + 1·1 + 1·1 + 0·2 + 1·1 = 3 over weights 8
      expect(split).toBeCloseTo(3 / 8, 6);
    });

    test('compares [N] labels with [N, 1] predictions, as Keras squeezes them', async () => {
      expect(
        await accuracy([
          [
            [1, 2, 3, 4],
            [[0], [2], [3], [4]],
          ],
        ]),
      ).toBeCloseTo(0.75, 6);
    });

    test('leaks no tensor over update, result and reset', async () => {
      const m = new Accuracy();
      const [y, p, w] = [tf.tensor2d([[1], [2]]), tf.tensor2d([[1], [3]]), tf.tensor1d([1, 2])];
      await expectNoLeak(async () => {
        m.update(y, p, w);
        await m.result();
        m.reset();
      });
      m.dispose();
      tf.dispose([y, p, w]);
    });
  });

  test('rejects shapes that differ by more than a trailing 1', () => {
    const m = new Accuracy();
    expect(() => m.update(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(
      'accuracy: yTrue and yPred must have the same shape, received [2, 3] and [2, 4]',
    );
    m.dispose();
  });
});
