import { setSeed } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { type Initializer, initialize, makeVariable } from './initializers.js';

/** Mean, variance, min and max of a drawn tensor. */
async function stats(init: Initializer, shape: number[]) {
  const t = initialize(init, shape);
  const data = await t.data();
  t.dispose();
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of data) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / data.length;
  let sq = 0;
  for (const v of data) sq += (v - mean) ** 2;
  return { mean, variance: sq / data.length, min, max, n: data.length };
}

// A [200, 300] kernel: fanIn 200, fanOut 300. A [3, 3, 16, 32] conv kernel: fanIn 144, fanOut 288.
const DENSE = [200, 300];
const CONV = [3, 3, 16, 32];
const fansOf = (shape: number[]) =>
  shape.length === 4 ? { fanIn: 144, fanOut: 288 } : { fanIn: shape[0] as number, fanOut: shape[1] as number };

/** Keras 3 variance of each variance-scaling initializer. */
const scaled: Record<string, (fanIn: number, fanOut: number) => number> = {
  glorotUniform: (i, o) => 2 / (i + o),
  glorotNormal: (i, o) => 2 / (i + o),
  heNormal: (i) => 2 / i,
  heUniform: (i) => 2 / i,
  lecunNormal: (i) => 1 / i,
  lecunUniform: (i) => 1 / i,
};

describe('initializers', () => {
  for (const [name, varianceOf] of Object.entries(scaled)) {
    for (const shape of [DENSE, CONV]) {
      test(`${name} on [${shape.join(', ')}] has mean 0 and the Keras variance and bounds`, async () => {
        setSeed(1);
        const { fanIn, fanOut } = fansOf(shape);
        const variance = varianceOf(fanIn, fanOut);
        const s = await stats(name as Initializer, shape);
        const sd = Math.sqrt(variance);
        expect(Math.abs(s.mean)).toBeLessThan((5 * sd) / Math.sqrt(s.n));
        expect(s.variance / variance).toBeGreaterThan(0.95);
        expect(s.variance / variance).toBeLessThan(1.05);
        if (name.endsWith('Uniform')) {
          // U(-l, l) with l = sqrt(3·variance): the draws fill the interval and stay inside it.
          const limit = Math.sqrt(3 * variance);
          expect(s.max).toBeLessThanOrEqual(limit);
          expect(s.min).toBeGreaterThanOrEqual(-limit);
          expect(s.max).toBeGreaterThan(0.99 * limit);
          expect(s.min).toBeLessThan(-0.99 * limit);
        } else {
          // A normal truncated at two of its own standard deviations, stddev = sqrt(variance) / 0.8796.
          const bound = (2 * sd) / 0.8796256610342398;
          expect(s.max).toBeLessThanOrEqual(bound * (1 + 1e-6));
          expect(s.min).toBeGreaterThanOrEqual(-bound * (1 + 1e-6));
          expect(s.max).toBeGreaterThan(0.99 * bound);
        }
      });
    }
  }

  test('glorotUniform also answers to its class form', async () => {
    setSeed(4);
    const a = await stats({ className: 'GlorotUniform', config: {} }, DENSE);
    setSeed(4);
    const b = await stats('glorotUniform', DENSE);
    expect(a).toEqual(b);
  });

  test('randomNormal and randomUniform follow their settings and Keras defaults', async () => {
    setSeed(2);
    const n = await stats({ className: 'RandomNormal', config: { mean: 1, stddev: 0.5 } }, DENSE);
    expect(n.mean).toBeCloseTo(1, 2);
    expect(Math.sqrt(n.variance)).toBeCloseTo(0.5, 2);
    const nDefault = await stats('randomNormal', DENSE);
    expect(Math.abs(nDefault.mean)).toBeLessThan(0.001);
    expect(Math.sqrt(nDefault.variance)).toBeCloseTo(0.05, 3);
    const u = await stats({ className: 'RandomUniform', config: { minval: -2, maxval: 4 } }, DENSE);
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThanOrEqual(4);
    expect(u.mean).toBeCloseTo(1, 1);
    expect(u.variance).toBeCloseTo(36 / 12, 1);
    const uDefault = await stats('randomUniform', DENSE);
    expect(uDefault.min).toBeGreaterThanOrEqual(-0.05);
    expect(uDefault.max).toBeLessThanOrEqual(0.05);
    expect(uDefault.min).toBeLessThan(-0.0499);
  });

  test('zeros, ones and constant fill the tensor', async () => {
    for (const [init, value] of [
      ['zeros', 0],
      ['ones', 1],
      [{ className: 'Zeros', config: {} }, 0],
      [{ className: 'Constant', config: { value: 2.5 } }, 2.5],
    ] as const) {
      const s = await stats(init, [3, 4]);
      expect([s.min, s.max]).toEqual([value, value]);
    }
  });

  test('draws the same values again after setSeed', async () => {
    for (const init of ['glorotUniform', 'heNormal', 'randomUniform'] as const) {
      setSeed(9);
      const a = initialize(init, [8, 8]);
      const a2 = initialize(init, [8, 8]);
      setSeed(9);
      const b = initialize(init, [8, 8]);
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      expect(Array.from(await a2.data())).not.toEqual(Array.from(await a.data()));
      tf.dispose([a, a2, b]);
    }
  });

  /** The largest |(AᵀA)ᵢⱼ - g²·δᵢⱼ| over the columns of a [rows, cols] matrix given row-major. */
  function gramError(a: Float32Array | Int32Array | Uint8Array, rows: number, cols: number, gain: number): number {
    let worst = 0;
    for (let i = 0; i < cols; i++) {
      for (let j = i; j < cols; j++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += (a[r * cols + i] as number) * (a[r * cols + j] as number);
        worst = Math.max(worst, Math.abs(dot - (i === j ? gain * gain : 0)));
      }
    }
    return worst;
  }

  /** A [rows, cols] matrix given row-major, transposed. */
  const transpose = (a: Float32Array | Int32Array | Uint8Array, rows: number, cols: number) =>
    Float32Array.from({ length: rows * cols }, (_, k) => a[(k % rows) * cols + Math.floor(k / rows)] as number);

  test('orthogonal gives orthonormal columns, or rows when wider than tall, times the gain (Keras)', async () => {
    setSeed(5);
    const tall = initialize('orthogonal', [12, 3]);
    const wide = initialize({ className: 'Orthogonal', config: { gain: 2 } }, [3, 12]);
    const conv = initialize('orthogonal', [2, 3, 4]);
    expect(gramError(await tall.data(), 12, 3, 1)).toBeLessThan(1e-6);
    expect(gramError(transpose(await wide.data(), 3, 12), 12, 3, 2)).toBeLessThan(1e-5);
    // Axes before the last are flattened: [2, 3, 4] is a [6, 4] matrix.
    expect(gramError(await conv.data(), 6, 4, 1)).toBeLessThan(1e-6);
    tf.dispose([tall, wide, conv]);
    expect(() => initialize('orthogonal', [5])).toThrow(
      "initialize: 'orthogonal' needs a shape of two or more axes, received [5]",
    );
  });

  test("orthogonal draws a 256-unit LSTM's [256, 1024] recurrent kernel in well under a second", async () => {
    setSeed(6);
    const start = performance.now();
    const u = initialize('orthogonal', [256, 1024]);
    const elapsed = performance.now() - start;
    // Rows of a wide matrix are orthonormal: check a few pairs of them.
    const data = await u.data();
    const row = (i: number) => data.subarray(i * 1024, (i + 1) * 1024);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let s = 0;
      for (let k = 0; k < a.length; k++) s += (a[k] as number) * (b[k] as number);
      return s;
    };
    expect(dot(row(0), row(0))).toBeCloseTo(1, 5);
    expect(dot(row(255), row(255))).toBeCloseTo(1, 5);
    expect(Math.abs(dot(row(0), row(255)))).toBeLessThan(1e-5);
    expect(Math.abs(dot(row(17), row(200)))).toBeLessThan(1e-5);
    expect(elapsed).toBeLessThan(3000);
    u.dispose();
  });

  test('makeVariable names the variable after its brick, apart from tfjs-layers names, and leaves only it behind', async () => {
    const before = tf.memory().numTensors;
    const v = makeVariable('dense_9', 'kernel', 'ones', [2, 3]);
    expect(v.name).toMatch(/^brickml:dense_9\/kernel#\d+$/);
    expect(v.shape).toEqual([2, 3]);
    expect(tf.memory().numTensors).toBe(before + 1);
    v.dispose();
  });
});
