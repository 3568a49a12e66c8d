import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { AUC } from './auc.js';

type Values = number[] | number[][][];

/** Streams the batches into a new AUC of the config and reads it once. */
async function auc(config: ConstructorParameters<typeof AUC>[0], batches: [Values, Values, number[]?][]) {
  const m = new AUC(config);
  for (const [yTrue, yPred, w] of batches) {
    const tensors = [tf.tensor(yTrue), tf.tensor(yPred), ...(w ? [tf.tensor1d(w)] : [])];
    m.update(tensors[0] as tf.Tensor, tensors[1] as tf.Tensor, tensors[2]);
    tf.dispose(tensors);
  }
  const value = await m.result();
  m.dispose();
  return value;
}

// Keras 3, keras/src/metrics/confusion_metrics_test.py (AUCTest) and the AUC docstring.
const yTrue = [0, 0, 1, 1];
const yPred = [0, 0.5, 0.3, 0.9];
/** Keras' logits of yPred, -log(1/(p + 1e-12) - 1) in float32 (where 0.5 + 1e-12 is 0.5: logit 0). */
const logits = yPred.map((p) => -Math.log(1 / Math.fround(Math.fround(p) + 1e-12) - 1));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('AUC (Keras goldens)', () => {
  forEachBackend(() => {
    test('matches Keras with 3 thresholds, unweighted and weighted', async () => {
      expect(await auc({ numThresholds: 3 }, [[yTrue, yPred]])).toBeCloseTo(0.75, 5);
      expect(await auc({ numThresholds: 3 }, [[yTrue, yPred, [1, 0, 0, 1]]])).toBeCloseTo(1, 5);
      // test_weighted_roc_interpolation: recall [1, 4/7, 0], fp rate [1, 0, 0]
      expect(await auc({ numThresholds: 3 }, [[yTrue, yPred, [1, 2, 3, 4]]])).toBeCloseTo((1 + 4 / 7) / 2, 5);
    });

    test('fromLogits puts predictions through a sigmoid (Keras test_unweighted_from_logits)', async () => {
      expect(Math.abs(logits[1] as number)).toBe(0);
      expect(await auc({ numThresholds: 3, fromLogits: true }, [[yTrue, logits]])).toBeCloseTo(0.75, 5);
      // At thresholds 0.25, 0.5, 0.75, sigmoids [0.12, 0.27, 0.73, 0.88] give ROC points (1, 1), (0.5, 1),
      // (0.5, 0.5), (0, 0.5), (0, 0): area 0.75; the raw logits, clipped to [0, 0, 1, 1], give 0.5.
      const batch: [Values, Values] = [
        [0, 1, 0, 1],
        [-2, -1, 1, 2],
      ];
      expect(await auc({ numThresholds: 5, fromLogits: true }, [batch])).toBeCloseTo(0.75, 5);
      expect(await auc({ numThresholds: 5 }, [batch])).toBeCloseTo(0.5, 5);
    });

    test('is 1 for labels as predictions, and 0.5 on Keras test_extra_dims', async () => {
      expect(await auc({}, [[yTrue, yTrue]])).toBeCloseTo(1, 6);
      const z = [
        [
          [-10, 10, -10],
          [10, -10, 10],
        ],
        [
          [-12, 12, -12],
          [12, -12, 12],
        ],
      ];
      const probabilities = z.map((a) => a.map((r) => r.map((v) => sigmoid(-v))));
      const labels = [
        [
          [1, 0, 0],
          [1, 0, 0],
        ],
        [
          [0, 1, 1],
          [0, 1, 1],
        ],
      ];
      expect(await auc({}, [[labels, probabilities]])).toBeCloseTo(0.5, 6);
      expect(await auc({ fromLogits: true }, [[labels, z.map((a) => a.map((r) => r.map((v) => -v)))]])).toBeCloseTo(
        0.5,
        6,
      );
    });

    test('streams the epoch: the golden data split in two batches gives the same area', async () => {
      const split = await auc({ numThresholds: 3, fromLogits: true }, [
        [yTrue.slice(0, 1), logits.slice(0, 1), [1]],
        [yTrue.slice(1), logits.slice(1), [2, 3, 4]],
      ]);
      expect(split).toBeCloseTo((1 + 4 / 7) / 2, 5);
    });

    test('leaks no tensor with fromLogits', async () => {
      const m = new AUC({ numThresholds: 7, fromLogits: true });
      const [y, p] = [tf.tensor1d(yTrue), tf.tensor1d(logits)];
      await expectNoLeak(async () => {
        m.update(y, p);
        await m.result();
        m.reset();
      });
      m.dispose();
      tf.dispose([y, p]);
    });
  });
});
