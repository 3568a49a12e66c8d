import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { AUC, aucThresholds } from './auc.js';
import { Precision } from './precision.js';
import { Recall } from './recall.js';

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

interface Batch {
  y: number[];
  p: number[];
  w: number[];
}

/** Noisy scores that lean toward the label, in batches of unequal sizes; no score sits on a threshold. */
function batches(seed: number, sizes = [6, 3, 11]): Batch[] {
  const r = lcg(seed);
  return sizes.map((n) => {
    const y = Array.from({ length: n }, () => (r() > 0.5 ? 1 : 0));
    const p = y.map((v) => Math.min(0.999, Math.max(0.001, 0.3 * v + 0.7 * r())));
    return { y, p, w: y.map(() => 0.25 + r()) };
  });
}

function counts(data: Batch[], weighted: boolean, t: number) {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const b of data) {
    b.y.forEach((y, i) => {
      const w = weighted ? (b.w[i] as number) : 1;
      const above = (b.p[i] as number) > t;
      if (y === 1 && above) tp += w;
      else if (y === 1) fn += w;
      else if (above) fp += w;
      else tn += w;
    });
  }
  return { tp, fp, tn, fn };
}

/** Keras' AUC written out in plain JS: trapezoids over the ROC points at the fixed thresholds. */
function aucOracle(data: Batch[], weighted: boolean, numThresholds = 200): number {
  const pts = aucThresholds(numThresholds).map((t) => {
    const c = counts(data, weighted, t);
    return { tpr: c.tp / (c.tp + c.fn || 1), fpr: c.fp / (c.fp + c.tn || 1) };
  });
  let area = 0;
  for (let k = 0; k + 1 < pts.length; k++) {
    const a = pts[k] as { tpr: number; fpr: number };
    const b = pts[k + 1] as { tpr: number; fpr: number };
    area += (a.fpr - b.fpr) * ((a.tpr + b.tpr) / 2);
  }
  return area;
}

/** The exact ROC AUC: probability that a positive outscores a negative. */
function exactAuc(data: Batch[]): number {
  const pos = data.flatMap((b) => b.p.filter((_, i) => b.y[i] === 1));
  const neg = data.flatMap((b) => b.p.filter((_, i) => b.y[i] === 0));
  let wins = 0;
  for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

async function stream(m: { update: AUC['update']; result: AUC['result'] }, data: Batch[], weighted: boolean) {
  for (const b of data) {
    const [y, p, w] = [tf.tensor1d(b.y), tf.tensor1d(b.p), tf.tensor1d(b.w)];
    m.update(y, p, weighted ? w : undefined);
    tf.dispose([y, p, w]);
  }
  return m.result();
}

describe('confusion metrics', () => {
  forEachBackend(() => {
    test('leak no tensor over update, result and reset', async () => {
      const y = tf.tensor2d([[1], [0], [1]]);
      const p = tf.tensor2d([[0.8], [0.6], [0.2]]);
      const w = tf.tensor1d([1, 2, 3]);
      for (const m of [new Precision(), new Recall(), new AUC({ numThresholds: 10 })]) {
        await expectNoLeak(async () => {
          m.update(y, p, w);
          await m.result();
          m.reset();
        });
        m.dispose();
      }
      tf.dispose([y, p, w]);
    });
    test('Precision and Recall stream whole-epoch counts, with and without sample weights', async () => {
      const data = batches(2);
      for (const weighted of [false, true]) {
        const c = counts(data, weighted, 0.5);
        const precision = new Precision();
        const recall = new Recall();
        expect(await stream(precision, data, weighted)).toBeCloseTo(c.tp / (c.tp + c.fp), 5);
        expect(await stream(recall, data, weighted)).toBeCloseTo(c.tp / (c.tp + c.fn), 5);
        precision.dispose();
        recall.dispose();
      }
    });

    test('AUC matches the thresholded ROC trapezoids, with and without sample weights', async () => {
      const data = batches(5);
      const auc = new AUC();
      expect(await stream(auc, data, false)).toBeCloseTo(aucOracle(data, false), 4);
      auc.reset();
      expect(await stream(auc, data, true)).toBeCloseTo(aucOracle(data, true), 4);
      auc.dispose();
    });
  });

  test('AUC approaches the exact ROC area', async () => {
    const data = batches(9, [40, 25, 35]);
    const auc = new AUC();
    expect(Math.abs((await stream(auc, data, false)) - exactAuc(data))).toBeLessThan(0.01);
    auc.dispose();
  });

  test('AUC of a perfect ranking is 1 and of a reversed one is 0', async () => {
    const auc = new AUC();
    auc.update(tf.tensor1d([0, 0, 1, 1]), tf.tensor1d([0.1, 0.2, 0.8, 0.9]));
    expect(await auc.result()).toBeCloseTo(1, 5);
    auc.reset();
    auc.update(tf.tensor1d([1, 1, 0, 0]), tf.tensor1d([0.1, 0.2, 0.8, 0.9]));
    expect(await auc.result()).toBeCloseTo(0, 5);
    auc.dispose();
  });

  test('Precision and Recall match tfjs-layers on rounded predictions', async () => {
    const data = batches(11);
    const y = tf.tensor1d(data.flatMap((b) => b.y));
    const p = tf.tensor1d(data.flatMap((b) => b.p));
    const rounded = tf.cast(tf.greater(p, 0.5), 'float32');
    for (const [metric, fn] of [
      [new Precision(), tfl.metrics.precision],
      [new Recall(), tfl.metrics.recall],
    ] as const) {
      const theirs = fn(y, rounded);
      expect(await stream(metric, data, false), metric.name).toBeCloseTo((await theirs.data())[0] as number, 5);
      tf.dispose(theirs);
      metric.dispose();
    }
    tf.dispose([y, p, rounded]);
  });

  test('one-hot multi-class outputs are flattened, each example weight covering its row', async () => {
    const yTrue = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const yPred = tf.tensor2d([
      [0.9, 0.6, 0.1],
      [0.2, 0.3, 0.7],
    ]);
    const precision = new Precision();
    const recall = new Recall();
    const w = tf.tensor1d([1, 3]);
    precision.update(yTrue, yPred, w);
    recall.update(yTrue, yPred, w);
    // tp = 1 (row 0), fp = 1 (row 0) + 3 (row 1), fn = 3 (row 1)
    expect(await precision.result()).toBeCloseTo(1 / 5, 6);
    expect(await recall.result()).toBeCloseTo(1 / 4, 6);
    tf.dispose([yTrue, yPred, w]);
    precision.dispose();
    recall.dispose();
  });
});
