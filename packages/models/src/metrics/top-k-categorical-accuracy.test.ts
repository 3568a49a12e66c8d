import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import type { MeanMetric } from './metric.js';
import { SparseTopKCategoricalAccuracy } from './sparse-top-k-categorical-accuracy.js';
import { TopKCategoricalAccuracy } from './top-k-categorical-accuracy.js';

type Values = number[] | number[][] | number[][][];

/** Streams the batches into the metric, reads it once and disposes it. */
async function stream(m: MeanMetric, batches: [Values, Values, number[]?][]): Promise<number> {
  for (const [yTrue, yPred, w] of batches) {
    const tensors = [tf.tensor(yTrue), tf.tensor(yPred), ...(w ? [tf.tensor1d(w)] : [])];
    m.update(tensors[0] as tf.Tensor, tensors[1] as tf.Tensor, tensors[2]);
    tf.dispose(tensors);
  }
  const value = await m.result();
  m.dispose();
  return value;
}

const oneHot = [
  [0, 0, 1],
  [0, 1, 0],
];
const scores = [
  [0.1, 0.9, 0.8],
  [0.05, 0.95, 0],
];

describe('top-k categorical accuracies', () => {
  forEachBackend(() => {
    // Golden values: Keras 3, keras/src/metrics/accuracy_metrics_test.py (TopKCategoricalAccuracyTest,
    // SparseTopKCategoricalAccuracyTest) and the docstrings.
    test('TopKCategoricalAccuracy matches Keras, with and without sample weights', async () => {
      expect(await stream(new TopKCategoricalAccuracy({ k: 1 }), [[oneHot, scores]])).toBeCloseTo(0.5, 6);
      expect(await stream(new TopKCategoricalAccuracy({ k: 1 }), [[oneHot, scores, [0.7, 0.3]]])).toBeCloseTo(0.3, 6);
    });

    test('SparseTopKCategoricalAccuracy matches Keras, with and without sample weights', async () => {
      expect(await stream(new SparseTopKCategoricalAccuracy({ k: 1 }), [[[2, 1], scores]])).toBeCloseTo(0.5, 6);
      const weighted = [[[2, 1], scores, [0.7, 0.3]]] as [Values, Values, number[]][];
      expect(await stream(new SparseTopKCategoricalAccuracy({ k: 1 }), weighted)).toBeCloseTo(0.3, 6);
    });

    test('SparseTopKCategoricalAccuracy fromSortedIds matches Keras', async () => {
      const ids = [
        [1, 0, 3],
        [1, 2, 3],
      ];
      const make = () => new SparseTopKCategoricalAccuracy({ k: 1, fromSortedIds: true });
      expect(await stream(make(), [[[2, 1], ids]])).toBeCloseTo(0.5, 6);
      expect(await stream(make(), [[[2, 1], ids, [0.7, 0.3]]])).toBeCloseTo(0.3, 6);
      // with k = 2, label 1 is among the first two ids of both rows
      expect(await stream(new SparseTopKCategoricalAccuracy({ k: 2, fromSortedIds: true }), [[[1, 2], ids]])).toBe(1);
    });

    test('k defaults to 5, ties count in the label’s favour, and the epoch is streamed', async () => {
      const wide = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.05]];
      expect(await stream(new SparseTopKCategoricalAccuracy(), [[[1], wide]])).toBe(1);
      expect(await stream(new SparseTopKCategoricalAccuracy(), [[[0], wide]])).toBe(0);
      const tied = [[0.5, 0.5, 0.5, 0.1]];
      expect(await stream(new SparseTopKCategoricalAccuracy({ k: 1 }), [[[2], tied]])).toBe(1);
      const epoch = await stream(new TopKCategoricalAccuracy({ k: 2 }), [
        [[[1, 0, 0]], [[0.1, 0.5, 0.4]], [3]],
        [oneHot, scores, [1, 2]],
      ]);
      // hits: row 1 miss (class 0 ranks third), rows 2 and 3 hit → (0·3 + 1 + 2) / 6
      expect(epoch).toBeCloseTo(0.5, 6);
    });

    test('sequence outputs score each position', async () => {
      const yPred = [
        [
          [0.9, 0.1],
          [0.2, 0.8],
        ],
      ];
      const yTrue = [
        [
          [1, 0],
          [1, 0],
        ],
      ];
      expect(await stream(new TopKCategoricalAccuracy({ k: 1 }), [[yTrue, yPred]])).toBeCloseTo(0.5, 6);
      expect(await stream(new SparseTopKCategoricalAccuracy({ k: 1 }), [[[[0, 0]], yPred]])).toBeCloseTo(0.5, 6);
    });

    test('leak no tensor over update, result and reset', async () => {
      const [y, labels, p] = [tf.tensor2d(oneHot), tf.tensor1d([2, 1]), tf.tensor2d(scores)];
      for (const [m, t] of [
        [new TopKCategoricalAccuracy({ k: 2 }), y],
        [new SparseTopKCategoricalAccuracy({ k: 2 }), labels],
      ] as const) {
        await expectNoLeak(async () => {
          m.update(t, p);
          await m.result();
          m.reset();
        });
        m.dispose();
      }
      tf.dispose([y, labels, p]);
    });
  });

  test('rejects labels of the wrong shape and scores without a class axis', () => {
    const sparse = new SparseTopKCategoricalAccuracy();
    expect(() => sparse.update(tf.zeros([3]), tf.zeros([2, 4]))).toThrow(
      'sparse_top_k_categorical_accuracy: integer labels must have shape [2] or [2, 1] for predictions [2, 4], received [3]',
    );
    const dense = new TopKCategoricalAccuracy();
    expect(() => dense.update(tf.zeros([3]), tf.zeros([3]))).toThrow(
      'top_k_categorical_accuracy: predictions must be scores shaped [N, C], received [3]',
    );
    sparse.dispose();
    dense.dispose();
  });
});
