import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { F1Score } from './f1-score.js';

type Rows = number[][];
type Average = 'micro' | 'macro' | 'weighted' | null;

/** Streams the batches into an F1Score of the given config; returns every value it reads. */
async function f1(config: ConstructorParameters<typeof F1Score>[0], batches: [Rows, Rows, (number[] | Rows)?][]) {
  const m = new F1Score(config);
  for (const [yTrue, yPred, w] of batches) {
    const tensors = [tf.tensor2d(yTrue), tf.tensor2d(yPred), ...(w ? [tf.tensor(w)] : [])];
    m.update(tensors[0] as tf.Tensor, tensors[1] as tf.Tensor, tensors[2]);
    tf.dispose(tensors);
  }
  const values = await m.results();
  m.dispose();
  return values;
}

function expectClose(actual: number[], expected: number | number[], what: string): void {
  const want = [expected].flat();
  expect(actual.length, what).toBe(want.length);
  for (const [i, v] of want.entries()) expect(actual[i], `${what} [${i}]`).toBeCloseTo(v, 5);
}

// Keras 3, keras/src/metrics/f_score_metrics_test.py: the 6 × 3 data of test_fbeta_random_score_none
// and test_fbeta_weighted_random_score_none (threshold None: each row's maximum is positive).
const yTrue6 = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 0, 0],
  [1, 0, 0],
  [0, 0, 1],
];
const yPred6 = [
  [0.9, 0.1, 0],
  [0.2, 0.6, 0.2],
  [0, 0, 1],
  [0.4, 0.3, 0.3],
  [0, 0.9, 0.1],
  [0, 0, 1],
];
const predThree = [
  [0.7, 0.7, 0.7],
  [1, 0, 0],
  [0.9, 0.8, 0],
];

describe('F1Score', () => {
  forEachBackend(() => {
    test('matches the Keras docstring: one score per class at threshold 0.5', async () => {
      const yTrue = [
        [1, 1, 1],
        [1, 0, 0],
        [1, 1, 0],
      ];
      const yPred = [
        [0.2, 0.6, 0.7],
        [0.2, 0.6, 0.6],
        [0.6, 0.8, 0.0],
      ];
      expectClose(await f1({ threshold: 0.5 }, [[yTrue, yPred]]), [0.5, 0.8, 0.6666667], 'docstring');
    });

    test('matches Keras at threshold 0.66: perfect, worst and mixed scores, for every averaging', async () => {
      const perfect = [
        [1, 1, 1],
        [1, 0, 0],
        [1, 1, 0],
      ];
      const worst = [
        [0, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ];
      const mixed = [
        [0, 0, 1],
        [1, 1, 0],
        [1, 1, 1],
      ];
      const expected: [Average, number | number[]][] = [
        [null, [0.8, 0.5, 0.6666667]],
        ['micro', 0.6666667],
        ['macro', 0.6555555],
        ['weighted', 0.6555555],
      ];
      for (const [average, value] of expected) {
        expectClose(await f1({ average, threshold: 0.66 }, [[mixed, predThree]]), value, `mixed ${average}`);
        if (average === null) continue;
        expectClose(await f1({ average, threshold: 0.66 }, [[perfect, predThree]]), 1, `perfect ${average}`);
        expectClose(await f1({ average, threshold: 0.66 }, [[worst, predThree]]), 0, `worst ${average}`);
      }
    });

    test('matches Keras with each row’s maximum as the prediction, with and without sample weights', async () => {
      const weights = [
        [1, 1, 1, 1, 1, 1],
        [1, 0, 1, 1, 0, 1],
        [0.5, 1, 1, 1, 0.5, 1],
      ];
      const expected: [Average, (number | number[])[]][] = [
        [
          null,
          [
            [0.8, 0.666667, 1.0],
            [1.0, 0.0, 1.0],
            [0.857143, 0.8, 1.0],
          ],
        ],
        ['micro', [0.833333, 1.0, 0.9]],
        ['macro', [0.822222, 0.666667, 0.885714]],
        ['weighted', [0.844444, 1.0, 0.902857]],
      ];
      for (const [average, values] of expected) {
        expectClose(await f1({ average }, [[yTrue6, yPred6]]), values[0] as number | number[], `${average} unweighted`);
        for (const [i, w] of weights.entries()) {
          const value = values[i] as number | number[];
          expectClose(await f1({ average }, [[yTrue6, yPred6, w]]), value, `${average} weights ${i}`);
        }
      }
    });

    test('matches Keras with per-element and uniform sample weights', async () => {
      const yTrue = [
        [1, 1],
        [1, 0],
      ];
      const yPred = [
        [0.2, 0.6],
        [0.2, 0.6],
      ];
      const perElement = [
        [0.5, 0.2],
        [0.3, 0.8],
      ];
      expectClose(await f1({ threshold: 0.5 }, [[yTrue, yPred, perElement]]), [0, 0.333333], 'per element');
      expectClose(await f1({ threshold: 0.5 }, [[yTrue, yPred, [0.5, 0.5]]]), [0, 0.6666665], 'uniform');
    });

    test('streams whole-epoch counts: batches give the scores of one update', async () => {
      const w = [0.5, 1, 1, 1, 0.5, 1];
      for (const average of [null, 'micro', 'macro', 'weighted'] as const) {
        const whole = await f1({ average }, [[yTrue6, yPred6, w]]);
        const split = await f1({ average }, [
          [yTrue6.slice(0, 2), yPred6.slice(0, 2), w.slice(0, 2)],
          [yTrue6.slice(2), yPred6.slice(2), w.slice(2)],
        ]);
        expectClose(split, whole, `${average}`);
      }
    });

    test('result() gives the averaged score, and refuses one score per class', async () => {
      const m = new F1Score({ average: 'macro' });
      expect(await m.result()).toBe(0);
      m.update(tf.tensor2d(yTrue6), tf.tensor2d(yPred6));
      expect(await m.result()).toBeCloseTo(0.822222, 5);
      m.reset();
      expect(await m.result()).toBe(0);
      m.dispose();
      const perClass = new F1Score();
      expect(await perClass.results()).toEqual([]);
      await expect(perClass.result()).rejects.toThrow(
        "F1Score 'f1_score': average null gives one score per class; average them with 'micro', 'macro' or 'weighted', and logs hold one number per name (results() reads every value)",
      );
      perClass.dispose();
    });

    test('leaks no tensor over update, result and reset, nor once disposed', async () => {
      const before = tf.memory().numTensors;
      const [y, p, w] = [tf.tensor2d(yTrue6), tf.tensor2d(yPred6), tf.tensor1d([1, 2, 1, 1, 2, 1])];
      for (const average of [null, 'micro', 'weighted'] as const) {
        const m = new F1Score({ average });
        await expectNoLeak(async () => {
          m.update(y, p, w);
          await m.results();
          m.reset();
        });
        m.dispose();
      }
      tf.dispose([y, p, w]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  test('rejects inputs that are not [N, C], a change of C, and bad configs', () => {
    const m = new F1Score({ average: 'micro' });
    expect(() => m.update(tf.zeros([2, 3, 4]), tf.zeros([2, 3, 4]))).toThrow(
      'f1_score: F1Score expects yTrue and yPred shaped [N, C], received [2, 3, 4]',
    );
    m.update(tf.zeros([2, 3]), tf.zeros([2, 3]));
    expect(() => m.update(tf.zeros([2, 4]), tf.zeros([2, 4]))).toThrow(
      'f1_score: F1Score expects yTrue and yPred shaped [N, 3] (as in the first update), received [2, 4]',
    );
    m.dispose();
    expect(() => new F1Score({ average: 'samples' as 'micro' })).toThrow(/F1Score: average/);
    expect(() => new F1Score({ threshold: 0 })).toThrow(/F1Score: threshold/);
    expect(() => new F1Score({ threshold: 1.1 })).toThrow(/F1Score: threshold/);
  });
});
