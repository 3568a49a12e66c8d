import { setSeed, useBackend } from '@brickml/core';
import { describeBrick, forEachBackend, TEST_BACKENDS } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import { Embedding } from './embedding.js';

/**
 * Ids as the float input Sequential data gives, a quarter above each integer: the cast truncates them to
 * the ids, and the finite-difference steps (±0.01) stay on the same id, where the true dx is 0.
 */
const floatIds = (ids: number[][] | number[][][]) => () => tf.add(tf.tensor(ids), 0.25);

describeBrick('Embedding', {
  brick: Embedding,
  seed: 4,
  cases: [
    {
      title: '(a repeated id sums its rows)',
      config: { inputDim: 6, outputDim: 3 },
      inputShape: [4],
      input: floatIds([
        [1, 3, 3, 0],
        [5, 1, 2, 3],
      ]),
      outputShape: [4, 3],
    },
    {
      title: '(sequences of any length, maskZero)',
      config: { inputDim: 4, outputDim: 2, maskZero: true },
      inputShape: [null],
      input: floatIds([
        [2, 0, 0],
        [3, 3, 1],
      ]),
      outputShape: [null, 2],
    },
    {
      title: '(ids of rank 2 per example)',
      config: { inputDim: 5, outputDim: 2 },
      inputShape: [2, 2],
      input: floatIds([
        [
          [4, 0],
          [1, 4],
        ],
        [
          [2, 2],
          [0, 3],
        ],
      ]),
      outputShape: [2, 2, 2],
    },
  ],
  // tfjs' gather gives the ids themselves as their gradient (dE alone is checked against autodiff below).
  skipAutodiff: { because: "tfjs' gather returns the ids as their own gradient" },
  spec: [
    { inputDim: 1000, outputDim: 64 },
    {
      name: 'words',
      inputDim: 20,
      outputDim: 4,
      maskZero: true,
      embeddingsInitializer: 'glorotUniform',
      embeddingsRegularizer: { className: 'L2', config: { l2: 1e-4 } },
    },
  ],
  errors: [
    {
      rejects: 'an inputDim of 0',
      config: { name: 'e', inputDim: 0, outputDim: 2 },
      message: "Embedding 'e': inputDim must be a positive integer, received 0",
    },
    {
      rejects: "Keras 2's inputLength, which the input shape states",
      config: { name: 'e', inputDim: 3, outputDim: 2, inputLength: 5 } as never,
      message: "Embedding 'e': unknown field(s) 'inputLength'",
    },
    {
      rejects: 'boolean ids',
      run: () => {
        const e = new Embedding({ name: 'e', inputDim: 3, outputDim: 2 });
        try {
          e.forward(tf.tensor2d([[true, false]], [1, 2], 'bool'), { training: false });
        } finally {
          e.dispose();
        }
      },
      message: "Embedding 'e': ids must be int32 or float32, received bool",
    },
  ],
});

describe('Embedding', () => {
  test('looks up the rows of its ids, int32 or float (truncated, as Keras casts)', async () => {
    setSeed(1);
    const e = new Embedding({ inputDim: 4, outputDim: 2 });
    const ids = tf.tensor2d([[0, 2, 3]], [1, 3], 'int32');
    const floats = tf.tensor2d([[0.5, 2.9, 3]]);
    const a = e.forward(ids, { training: false });
    const b = e.forward(floats, { training: false });
    const table = (await e.params.embeddings.array()) as number[][];
    const want = [table[0], table[2], table[3]];
    expect(a.y.shape).toEqual([1, 3, 2]);
    for (const y of [a.y, b.y]) {
      const got = ((await y.array()) as number[][][])[0] as number[][];
      got.forEach((row, i) => {
        row.forEach((v, j) => {
          expect(v).toBeCloseTo(want[i]?.[j] as number, 6);
        });
      });
    }
    tf.dispose([ids, floats, a.y, b.y, a.cache.ids, b.cache.ids]);
    e.dispose();
  });

  test("draws its table from Keras' 'uniform' (±0.05) by default and builds [..., outputDim]", async () => {
    setSeed(2);
    const e = new Embedding({ inputDim: 50, outputDim: 8 });
    expect(e.config.embeddingsInitializer).toBe('randomUniform');
    expect(e.build([null])).toEqual([null, 8]);
    expect(e.params.embeddings.shape).toEqual([50, 8]);
    const values = Array.from(await e.params.embeddings.data());
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.05);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.04);
    e.dispose();
  });

  test('with maskZero, its mask is ids != 0; without, an incoming mask passes through', async () => {
    const ids = tf.tensor2d([
      [3, 0, 1.5],
      [0, 0, 2],
    ]);
    const masking = new Embedding({ inputDim: 4, outputDim: 2, maskZero: true });
    const mask = masking.computeMask(ids, null) as tf.Tensor;
    expect(mask.shape).toEqual([2, 3]);
    expect(Array.from(await mask.data())).toEqual([1, 0, 1, 0, 0, 1]);
    const plain = new Embedding({ inputDim: 4, outputDim: 2 });
    expect(plain.supportsMasking).toBe(true);
    expect(plain.computeMask(ids, null)).toBeNull();
    expect(plain.computeMask(ids, mask)).toBe(mask);
    tf.dispose([ids, mask]);
  });

  test('an embeddings regularizer penalizes the table', () => {
    const e = new Embedding({ inputDim: 3, outputDim: 2, embeddingsRegularizer: 'l2' });
    expect(e.regularizers().embeddings?.l2).toBe(0.01);
    expect(new Embedding({ inputDim: 3, outputDim: 2 }).regularizers()).toEqual({});
  });

  test('paramGrads gives the same dE as backward, and dx is zeros of the input', async () => {
    setSeed(3);
    const e = new Embedding({ inputDim: 5, outputDim: 3 });
    const ids = tf.tensor2d(
      [
        [1, 1, 4],
        [0, 4, 4],
      ],
      [2, 3],
      'int32',
    );
    const { y, cache } = e.forward(ids, { training: true });
    const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 4);
    const { dx, grads } = e.backward(dy, cache);
    const only = e.paramGrads(dy, cache);
    expect(dx.shape).toEqual([2, 3]);
    expect(Array.from(await dx.data())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(await only.embeddings.data())).toEqual(Array.from(await grads.embeddings.data()));
    tf.dispose([ids, y, cache.ids, dy, dx, grads.embeddings, only.embeddings]);
    e.dispose();
  });

  // tfjs' gather gradient needs UnsortedSegmentSum, which wasm lacks.
  forEachBackend(
    () => {
      test('dE matches tfjs autodiff on repeated ids', async () => {
        setSeed(5);
        const e = new Embedding({ inputDim: 7, outputDim: 4 });
        const ids = tf.tensor2d(
          [
            [6, 1, 1, 0, 6],
            [2, 6, 1, 3, 3],
            [0, 0, 5, 6, 1],
          ],
          [3, 5],
          'int32',
        );
        e.build([5]);
        const r = tf.randomUniform([3, 5, 4], -1, 1, 'float32', 6);
        const auto = tf.variableGrads(
          () => tf.sum(tf.mul(e.forward(ids, { training: true }).y, r)) as tf.Scalar,
          [e.params.embeddings],
        );
        const { y, cache } = e.forward(ids, { training: true });
        const { dx, grads } = e.backward(r, cache);
        const want = await (auto.grads[e.params.embeddings.name] as tf.Tensor).data();
        const got = await grads.embeddings.data();
        want.forEach((v, i) => {
          expect(got[i]).toBeCloseTo(v, 5);
        });
        tf.dispose([ids, r, y, cache.ids, dx, grads.embeddings, auto.value, ...Object.values(auto.grads)]);
        e.dispose();
      });
    },
    TEST_BACKENDS.filter((backend) => backend !== 'wasm'),
  );

  forEachBackend((backend) => {
    test('out-of-range ids: refused by the lookup on cpu and wasm, zero rows and no gradient on webgpu', async () => {
      setSeed(6);
      const e = new Embedding({ inputDim: 3, outputDim: 2 });
      const ids = tf.tensor2d([[1, 7, -1, 1]], [1, 4], 'int32');
      try {
        if (backend !== 'webgpu') {
          expect(() => e.forward(ids, { training: false })).toThrow('GatherV2: the index value 7 is not in [0, 2]');
          return;
        }
        const { y, cache } = e.forward(ids, { training: false });
        const rows = (await y.array()) as number[][][];
        expect(rows[0]?.[1]).toEqual([0, 0]);
        expect(rows[0]?.[2]).toEqual([0, 0]);
        const { dx, grads } = e.backward(tf.onesLike(y), cache);
        // Only id 1 (twice) receives gradient.
        expect(Array.from(await grads.embeddings.data())).toEqual([0, 0, 2, 2, 0, 0]);
        tf.dispose([y, cache.ids, dx, grads.embeddings]);
      } finally {
        ids.dispose();
        e.dispose();
      }
    });
  });
});

describe('Embedding parity with tfjs-layers on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  test('the same table gives the same output and mask on float ids', async () => {
    setSeed(7);
    const ours = new Embedding({ inputDim: 9, outputDim: 5, maskZero: true });
    const theirs = tfl.layers.embedding({ inputDim: 9, outputDim: 5, maskZero: true });
    const x = tf.tensor2d([
      [0, 8, 3, 3, 1],
      [2, 0, 0, 7, 8],
    ]);
    const { y, cache } = ours.forward(x, { training: false });
    tf.dispose(theirs.apply(x) as tf.Tensor);
    theirs.setWeights([ours.params.embeddings]);
    const want = theirs.apply(x) as tf.Tensor;
    expect(y.shape).toEqual(want.shape);
    expect(Array.from(await y.data())).toEqual(Array.from(await want.data()));
    const mask = ours.computeMask(x, null) as tf.Tensor;
    const wantMask = theirs.computeMask(x) as tf.Tensor;
    expect(Array.from(await mask.data())).toEqual(Array.from(await wantMask.data()).map(Number));
    tf.dispose([x, y, cache.ids, want, mask, wantMask]);
    ours.dispose();
    theirs.dispose();
  });
});
