import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import type { Metric } from '../types.js';
import { BinaryAccuracy } from './binary-accuracy.js';
import { CategoricalAccuracy } from './categorical-accuracy.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { SparseCategoricalAccuracy } from './sparse-categorical-accuracy.js';

/** A small deterministic generator, so the plain-JS oracle and the tensors see the same numbers. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296;
  };
}

interface Batch {
  yTrue: number[][];
  yPred: number[][];
  w: number[];
}

/** Batches of unequal sizes, so a mean of batch means differs from the epoch mean. */
function batches(kind: 'binary' | 'onehot' | 'regression', units: number, seed = 1): Batch[] {
  const r = lcg(seed);
  return [5, 2, 9].map((n) => {
    const yTrue: number[][] = [];
    const yPred: number[][] = [];
    for (let i = 0; i < n; i++) {
      const pred = Array.from({ length: units }, () => r());
      let label = Array.from({ length: units }, () => r());
      if (kind === 'binary') label = label.map((v) => (v > 0.5 ? 1 : 0));
      if (kind === 'onehot') {
        const c = Math.floor(r() * units);
        label = label.map((_, j) => (j === c ? 1 : 0));
      }
      yTrue.push(label);
      yPred.push(pred);
    }
    return { yTrue, yPred, w: Array.from({ length: n }, () => r() * 2) };
  });
}

type PerExample = (t: number[], p: number[]) => number;
const argmax = (v: number[]) => v.indexOf(Math.max(...v));
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const oracles: Record<string, PerExample> = {
  binary: (t, p) => mean(t.map((ti, j) => (((p[j] as number) > 0.5 ? 1 : 0) === ti ? 1 : 0))),
  categorical: (t, p) => (argmax(t) === argmax(p) ? 1 : 0),
  mse: (t, p) => mean(t.map((ti, j) => (ti - (p[j] as number)) ** 2)),
  mae: (t, p) => mean(t.map((ti, j) => Math.abs(ti - (p[j] as number)))),
};

function epochMean(data: Batch[], f: PerExample, weighted: boolean): number {
  let total = 0;
  let count = 0;
  for (const b of data) {
    b.yTrue.forEach((t, i) => {
      const w = weighted ? (b.w[i] as number) : 1;
      total += w * f(t, b.yPred[i] as number[]);
      count += w;
    });
  }
  return total / count;
}

async function stream(metric: Metric, data: Batch[], weighted: boolean, sparse = false): Promise<number> {
  for (const b of data) {
    const yTrue = sparse ? tf.tensor1d(b.yTrue.map(argmax), 'int32') : tf.tensor2d(b.yTrue);
    const yPred = tf.tensor2d(b.yPred);
    const w = tf.tensor1d(b.w);
    metric.update(yTrue, yPred, weighted ? w : undefined);
    tf.dispose([yTrue, yPred, w]);
  }
  return metric.result();
}

const cases = [
  { label: 'BinaryAccuracy', make: () => new BinaryAccuracy(), kind: 'binary', units: 3, oracle: 'binary' },
  {
    label: 'CategoricalAccuracy',
    make: () => new CategoricalAccuracy(),
    kind: 'onehot',
    units: 4,
    oracle: 'categorical',
  },
  {
    label: 'SparseCategoricalAccuracy',
    make: () => new SparseCategoricalAccuracy(),
    kind: 'onehot',
    units: 4,
    oracle: 'categorical',
    sparse: true,
  },
  { label: 'MeanSquaredError', make: () => new MeanSquaredError(), kind: 'regression', units: 3, oracle: 'mse' },
  { label: 'MeanAbsoluteError', make: () => new MeanAbsoluteError(), kind: 'regression', units: 3, oracle: 'mae' },
] as const;

describe('mean metrics', () => {
  forEachBackend(() => {
    test('leaks no tensor over update, result and reset', async () => {
      for (const make of [
        () => new BinaryAccuracy(),
        () => new SparseCategoricalAccuracy(),
        () => new MeanSquaredError(),
      ]) {
        const m = make();
        const yTrue = tf.tensor2d([[1], [0]]);
        const yPred = tf.tensor2d([[0.8], [0.3]]);
        const w = tf.tensor1d([1, 2]);
        await expectNoLeak(async () => {
          m.update(yTrue, yPred, w);
          await m.result();
          m.reset();
        });
        const before = tf.memory().numTensors;
        m.dispose();
        // Its two sums and the count of an unweighted batch.
        expect(tf.memory().numTensors).toBe(before - 3);
        tf.dispose([yTrue, yPred, w]);
      }
    });
    for (const c of cases) {
      test(`${c.label} streams the whole-epoch mean, with and without sample weights`, async () => {
        const data = batches(c.kind, c.units);
        const oracle = oracles[c.oracle] as PerExample;
        const sparse = 'sparse' in c && c.sparse;
        const m = c.make();
        expect(await stream(m, data, false, sparse)).toBeCloseTo(epochMean(data, oracle, false), 5);
        m.reset();
        expect(await stream(m, data, true, sparse)).toBeCloseTo(epochMean(data, oracle, true), 5);
        m.dispose();
      });
    }
  });

  test('the epoch mean is not the mean of batch means', async () => {
    const m = new MeanAbsoluteError();
    m.update(tf.tensor2d([[0]]), tf.tensor2d([[1]]));
    m.update(tf.tensor2d([[0], [0], [0]]), tf.tensor2d([[0], [0], [0]]));
    expect(await m.result()).toBeCloseTo(0.25, 6);
    m.dispose();
  });

  test('matches tfjs-layers metrics over the whole epoch', async () => {
    const pairs = [
      { make: () => new BinaryAccuracy(), fn: tfl.metrics.binaryAccuracy, kind: 'binary', units: 3 },
      { make: () => new CategoricalAccuracy(), fn: tfl.metrics.categoricalAccuracy, kind: 'onehot', units: 4 },
      { make: () => new MeanSquaredError(), fn: tfl.metrics.meanSquaredError, kind: 'regression', units: 3 },
      { make: () => new MeanAbsoluteError(), fn: tfl.metrics.meanAbsoluteError, kind: 'regression', units: 3 },
    ] as const;
    for (const p of pairs) {
      const data = batches(p.kind, p.units, 7);
      const m = p.make();
      const ours = await stream(m, data, false);
      const yTrue = tf.tensor2d(data.flatMap((b) => b.yTrue));
      const yPred = tf.tensor2d(data.flatMap((b) => b.yPred));
      const theirs = tf.mean(p.fn(yTrue, yPred));
      expect(ours, m.name).toBeCloseTo((await theirs.data())[0] as number, 5);
      tf.dispose([yTrue, yPred, theirs]);
      m.dispose();
    }
  });

  test('SparseCategoricalAccuracy matches tfjs-layers and takes [N, 1] labels', async () => {
    const data = batches('onehot', 4, 3);
    const m = new SparseCategoricalAccuracy();
    const ours = await stream(m, data, false, true);
    const labels = data.flatMap((b) => b.yTrue.map(argmax));
    const yTrue = tf.tensor2d(labels, [labels.length, 1]);
    const yPred = tf.tensor2d(data.flatMap((b) => b.yPred));
    const theirs = tf.mean(tfl.metrics.sparseCategoricalAccuracy(yTrue, yPred));
    m.reset();
    m.update(yTrue, yPred);
    expect(await m.result()).toBeCloseTo(ours, 6);
    expect(ours).toBeCloseTo((await theirs.data())[0] as number, 5);
    tf.dispose([yTrue, yPred, theirs]);
    m.dispose();
  });

  test('results are 0 before any update and after reset', async () => {
    const m = new BinaryAccuracy();
    expect(await m.result()).toBe(0);
    m.update(tf.tensor2d([[1]]), tf.tensor2d([[0.9]]));
    expect(await m.result()).toBe(1);
    m.reset();
    expect(await m.result()).toBe(0);
    m.dispose();
  });

  test('BinaryAccuracy honours its threshold', async () => {
    const m = new BinaryAccuracy({ threshold: 0.7 });
    m.update(tf.tensor1d([1, 0]), tf.tensor1d([0.6, 0.6]));
    expect(await m.result()).toBe(0.5);
    m.dispose();
  });

  test('rejects mismatched shapes and sample weights with named errors', () => {
    const m = new CategoricalAccuracy();
    expect(() => m.update(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(
      'categorical_accuracy: yTrue and yPred must have the same shape, received [2, 3] and [2, 4]',
    );
    expect(() => m.update(tf.zeros([2, 3]), tf.zeros([2, 3]), tf.ones([3]))).toThrow(
      'categorical_accuracy: sampleWeight must have shape [2] (one weight per example), received [3]',
    );
    expect(() => new SparseCategoricalAccuracy().update(tf.zeros([3]), tf.zeros([2, 4]))).toThrow(
      'integer labels must have shape [2] or [2, 1]',
    );
    m.dispose();
  });
});
