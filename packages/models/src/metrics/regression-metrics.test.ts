import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { MeanAbsolutePercentageError } from './mean-absolute-percentage-error.js';
import type { MeanMetric } from './metric.js';
import { RootMeanSquaredError } from './root-mean-squared-error.js';

type Values = number[] | number[][];

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

// Keras 3, keras/src/metrics/regression_metrics_test.py (MeanAbsolutePercentageErrorTest).
const mapeTrue = [
  [0, 1, 0, 1, 0],
  [0, 0, 1, 1, 1],
  [1, 1, 1, 1, 0],
  [0, 0, 0, 0, 1],
];
const mapePred = [
  [0, 0, 1, 1, 0],
  [1, 1, 1, 1, 1],
  [0, 1, 0, 1, 0],
  [1, 1, 1, 1, 1],
];

describe('regression metrics', () => {
  forEachBackend(() => {
    // Golden values: Keras 3, keras/src/metrics/regression_metrics_test.py (RootMeanSquaredErrorTest)
    // and the RootMeanSquaredError docstring.
    test('RootMeanSquaredError matches Keras, with and without sample weights', async () => {
      expect(
        await stream(new RootMeanSquaredError(), [
          [
            [2, 4, 6],
            [1, 3, 2],
          ],
        ]),
      ).toBeCloseTo(Math.sqrt(6), 5);
      const weighted = await stream(new RootMeanSquaredError(), [
        [
          [2, 4, 6, 8],
          [1, 3, 2, 3],
          [0, 1, 0, 1],
        ],
      ]);
      expect(weighted).toBeCloseTo(Math.sqrt(13), 5);
      const doc: [Values, Values] = [
        [
          [0, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [0, 0],
        ],
      ];
      expect(await stream(new RootMeanSquaredError(), [doc])).toBeCloseTo(0.5, 6);
      expect(await stream(new RootMeanSquaredError(), [[...doc, [1, 0]]])).toBeCloseTo(0.70710677, 6);
    });

    test('RootMeanSquaredError is the root of the epoch mean, not a mean of batch roots', async () => {
      const epoch = await stream(new RootMeanSquaredError(), [
        [[0], [2]],
        [
          [0, 0, 0],
          [1, 1, 1],
        ],
      ]);
      // squared errors 4 | 1, 1, 1: √(7/4) ≈ 1.32, where the batch roots 2 and 1 would average to 1.5
      expect(epoch).toBeCloseTo(Math.sqrt(7 / 4), 6);
    });

    // Golden values: Keras 3 MeanAbsolutePercentageErrorTest and the docstring. A zero label divides by
    // 1e-7, so the values are in the hundreds of millions: compare relatively.
    test('MeanAbsolutePercentageError matches Keras, with and without sample weights', async () => {
      const unweighted = await stream(new MeanAbsolutePercentageError(), [[mapeTrue, mapePred]]);
      expect(unweighted / 35e7).toBeCloseTo(1, 5);
      const weighted = await stream(new MeanAbsolutePercentageError(), [[mapeTrue, mapePred, [1, 1.5, 2, 2.5]]]);
      expect(weighted / 40e7).toBeCloseTo(1, 5);
      const doc: [Values, Values] = [
        [
          [0, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [0, 0],
        ],
      ];
      expect((await stream(new MeanAbsolutePercentageError(), [doc])) / 25e7).toBeCloseTo(1, 5);
      expect((await stream(new MeanAbsolutePercentageError(), [[...doc, [1, 0]]])) / 50e7).toBeCloseTo(1, 5);
    });

    test('MeanAbsolutePercentageError streams the epoch and reads [N] labels as N examples', async () => {
      const epoch = await stream(new MeanAbsolutePercentageError(), [
        [[[2]], [[1]]],
        [
          [[4], [10]],
          [[5], [10]],
          [1, 2],
        ],
      ]);
      expect(epoch).toBeCloseTo((50 + 25) / 4, 4);
      expect(
        await stream(new MeanAbsolutePercentageError(), [
          [
            [2, 4],
            [1, 5],
          ],
        ]),
      ).toBeCloseTo(37.5, 4);
    });

    test('leak no tensor over update, result and reset', async () => {
      const [y, p, w] = [tf.tensor2d([[1], [2]]), tf.tensor2d([[1.5], [1]]), tf.tensor1d([1, 2])];
      for (const m of [new RootMeanSquaredError(), new MeanAbsolutePercentageError()]) {
        await expectNoLeak(async () => {
          m.update(y, p, w);
          await m.result();
          m.reset();
        });
        m.dispose();
      }
      tf.dispose([y, p, w]);
    });
  });
});
