/**
 * The matrix product of brickml's own (packages/core/src/wasm-matmul.ts, wasm-gemm.ts) against tf.matMul:
 * shapes that leave row and column tails and split k into passes, on random shapes, with Aᵀ (packed or read
 * in place) and Bᵀ; its registered gradient under tfjs' autodiff; its memory. On cpu matMul is tf.matMul
 * after explicit transposes and on webgpu tfjs' fused product (Aᵀ read in place, bias and relu in one
 * kernel), so the same checks hold there almost trivially; on wasm (one thread, relaxed SIMD) the kernel
 * itself must run. And B packed once for products that skip the copy (packB, packedCalls: an LSTM's steps).
 */
import { matMul, ownMatMul, Random, setOwnKernels } from '@brickml/core';
import { expectNoLeak, forEachBackend, maxDiff, TEST_BACKENDS } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, test } from 'vitest';
import { packB, packedCalls, packedFloats } from '../packages/core/src/wasm-matmul.js';
import { memoryOf, type WasmBackendLike } from '../packages/core/src/wasm-module.js';

const values = (size: number, seed: number) => Float32Array.from(new Random(seed).uniformArray(size, -1, 1));

/** A as stored ([m, k], or [k, m] when transposed) and B ([k, n], or [n, k]), drawn from seeds. */
function operands(m: number, n: number, k: number, transposeA: boolean, seed: number, transposeB = false) {
  const a = tf.tensor2d(values(m * k, seed), transposeA ? [k, m] : [m, k]);
  const b = tf.tensor2d(values(k * n, seed + 1), transposeB ? [n, k] : [k, n]);
  return { a, b };
}
const flags = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

afterEach(() => setOwnKernels(true));

forEachBackend((backend) => {
  test(`matMul equals tf.matMul on tile tails, k split into passes and random shapes, A and B in place or transposed (${backend})`, async () => {
    const r = new Random(5);
    const drawn = Array.from({ length: 4 }, () => [1 + r.int(40), 1 + r.int(50), 1 + r.int(300)]);
    // [m, n, k]: one row and column, rows past a tile of 4 (3, 1, 2, 2), columns past 8 (4 + 1, 4 + 3, 2), k of
    // one, of two passes (1024 + 476); Aᵀ is packed where n > 8.
    const shapes = [[1, 1, 1], [7, 13, 3], [13, 15, 33], [2, 10, 5], [6, 8, 1500], [128, 512, 64], ...drawn];
    for (const [m, n, k] of shapes as [number, number, number][]) {
      for (const [transposeA, transposeB] of flags) {
        const { a, b } = operands(m, n, k, transposeA, m + n + k, transposeB);
        const ours = matMul(a, b, transposeA, transposeB);
        const theirs = tf.matMul(a, b, transposeA, transposeB);
        expect(ours.shape).toEqual([m, n]);
        // Fused multiply-adds round once per step where tf.matMul rounds twice: |Δ| ≤ k·2⁻²³ of |values| ≤ 1.
        const limit = backend === 'wasm' ? k * 2 ** -22 : backend === 'webgpu' ? k * 1e-6 : 0;
        const what = `[${m}, ${n}, ${k}], transposeA ${transposeA}, transposeB ${transposeB}`;
        expect(await maxDiff(ours, theirs), what).toBeLessThanOrEqual(limit);
        tf.dispose([a, b, ours, theirs]);
      }
    }
  });

  test(`matMul is one call of brickml's kernel on one-thread wasm, of tfjs' fused product on webgpu, transposes and tf.matMul on cpu (${backend})`, async () => {
    const names = async (f: () => tf.Tensor) => (await tf.profile(() => f())).kernels.map((k) => k.name);
    // In Node the suite's wasm runs one thread, and useBackend lets Node 20 compile relaxed SIMD.
    const own = backend === 'wasm';
    expect(ownMatMul()).toBe(own);
    for (const [transposeA, transposeB] of flags) {
      const { a, b } = operands(5, 10, 9, transposeA, 1, transposeB);
      const transposes = [transposeA, transposeB].filter(Boolean).map(() => 'Transpose');
      // tfjs' fused product is a tfjs kernel: webgpu takes it with brickml's own kernels on or off.
      const tfjs =
        backend === 'webgpu' ? [...(transposeB ? ['Transpose'] : []), '_FusedMatMul'] : [...transposes, 'BatchMatMul'];
      expect(await names(() => matMul(a, b, transposeA, transposeB))).toEqual(own ? ['BrickmlMatMul'] : tfjs);
      setOwnKernels(false);
      expect(ownMatMul()).toBe(false);
      expect(await names(() => matMul(a, b, transposeA, transposeB))).toEqual(tfjs);
      setOwnKernels(true);
      tf.dispose([a, b]);
    }
    if (backend === 'webgpu') {
      // Aᵀ read in place, the bias and relu in the same kernel.
      const { a, b } = operands(5, 10, 9, true, 1);
      const bias = tf.tensor1d(values(10, 3));
      const info = await tf.profile(() => matMul(a, b, true, false, { bias, relu: true }));
      expect(info.kernels.map((k) => k.name)).toEqual(['_FusedMatMul']);
      const want = tf.tidy(() => tf.relu(tf.add(tf.matMul(a, b, true, false), bias)));
      expect(await maxDiff(info.result as tf.Tensor, want)).toBeLessThan(1e-5);
      tf.dispose([a, b, bias, want, info.result as tf.Tensor]);
    }
  });

  test(`matMul's gradient under tfjs' autodiff equals MatMul's, A and B in place or transposed (${backend})`, async () => {
    for (const [transposeA, transposeB] of flags) {
      const { a, b } = operands(7, 12, 5, transposeA, 11, transposeB);
      const w = tf.tensor2d(values(7 * 12, 13), [7, 12]);
      const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D), w));
      const ours = tf.grads(loss((x, y) => matMul(x, y, transposeA, transposeB)))([a, b]);
      const theirs = tf.grads(loss((x, y) => tf.matMul(x, y, transposeA, transposeB)))([a, b]);
      for (let i = 0; i < 2; i++) {
        const what = `input ${i}, transposeA ${transposeA}, transposeB ${transposeB}`;
        expect(ours[i]!.shape, what).toEqual(theirs[i]!.shape);
        expect(await maxDiff(ours[i]!, theirs[i]!), what).toBeLessThan(1e-5);
      }
      tf.dispose([a, b, w, ...ours, ...theirs]);
    }
  });

  test(`matMul's epilogue (bias, relu, both) equals tf.add and tf.relu after tf.matMul, its gradient theirs (${backend})`, async () => {
    // [m, n, k]: a partial last column group (5 = 4 + 1, 3), rows past a tile, k in two passes (the epilogue
    // runs in the last only), Aᵀ packed.
    const shapes = [
      [5, 3, 7],
      [7, 13, 3],
      [13, 15, 33],
      [6, 8, 1500],
      [128, 512, 64],
    ];
    const epilogues = [
      { bias: true, relu: false },
      { bias: false, relu: true },
      { bias: true, relu: true },
    ];
    for (const [[m, n, k], [transposeA, transposeB], { bias: withBias, relu }] of shapes.flatMap((shape) =>
      flags.flatMap((flag) => epilogues.map((e) => [shape, flag, e] as const)),
    )) {
      const { a, b } = operands(m as number, n as number, k as number, transposeA, 3 * (m as number) + 1, transposeB);
      const bias = withBias ? tf.tensor1d(values(n as number, 7), 'float32') : undefined;
      const ours = matMul(a, b, transposeA, transposeB, { bias, relu });
      const theirs = tf.tidy(() => {
        let c = tf.matMul(a, b, transposeA, transposeB);
        if (bias) c = tf.add(c, bias);
        return relu ? tf.relu(c) : c;
      });
      const what = `[${m}, ${n}, ${k}], transposeA ${transposeA}, transposeB ${transposeB}, bias ${withBias}, relu ${relu}`;
      const limit = backend === 'wasm' ? (k as number) * 2 ** -22 : backend === 'webgpu' ? (k as number) * 1e-6 : 0;
      expect(await maxDiff(ours, theirs), what).toBeLessThanOrEqual(limit);
      if (relu)
        expect(
          (await ours.data()).some((v) => v === 0),
          what,
        ).toBe(true);
      if ((k as number) < 100) {
        const w = tf.tensor2d(values((m as number) * (n as number), 13), [m as number, n as number]);
        const inputs = bias ? [a, b, bias] : [a, b];
        const loss =
          (f: (x: tf.Tensor2D, y: tf.Tensor2D, c?: tf.Tensor1D) => tf.Tensor) =>
          (...t: tf.Tensor[]) =>
            tf.sum(tf.mul(f(t[0] as tf.Tensor2D, t[1] as tf.Tensor2D, t[2] as tf.Tensor1D | undefined), w));
        const mine = tf.grads(loss((x, y, c) => matMul(x, y, transposeA, transposeB, { bias: c, relu })))(inputs);
        const tfs = tf.grads(
          loss((x, y, c) => {
            const p = tf.matMul(x, y, transposeA, transposeB);
            const q = c ? tf.add(p, c) : p;
            return relu ? tf.relu(q) : q;
          }),
        )(inputs);
        for (const [i, g] of mine.entries()) {
          expect(await maxDiff(g, tfs[i] as tf.Tensor), `${what}, input ${i}`).toBeLessThan(1e-5);
        }
        tf.dispose([w, ...mine, ...tfs]);
      }
      tf.dispose([a, b, ours, theirs, ...(bias ? [bias] : [])]);
    }
  });

  test(`matMul with an addend adds its rows before the epilogue, in one kernel on wasm, and gives them dC (${backend})`, async () => {
    // [m, n, k, rows of the addend, first row]: the whole addend, rows in the middle and at the end, k in two
    // passes (the first adds to the addend too), a partial last column group.
    const cases = [
      [4, 8, 3, 4, 0],
      [5, 13, 7, 20, 9],
      [7, 5, 33, 21, 14],
      [6, 8, 1500, 18, 6],
    ];
    for (const [m, n, k, rows, row] of cases as [number, number, number, number, number][]) {
      for (const [transposeA, transposeB] of flags) {
        for (const withBias of [false, true]) {
          const { a, b } = operands(m, n, k, transposeA, m + k, transposeB);
          const to = tf.tensor2d(values(rows * n, 17), [rows, n]);
          const bias = withBias ? tf.tensor1d(values(n, 19)) : undefined;
          const reference = (x: tf.Tensor2D, y: tf.Tensor2D, add: tf.Tensor2D, c?: tf.Tensor1D) => {
            const p = tf.add(tf.matMul(x, y, transposeA, transposeB), tf.slice(add, [row, 0], [m, n]));
            return tf.relu(c ? tf.add(p, c) : p);
          };
          const ours = matMul(a, b, transposeA, transposeB, { bias, relu: true }, { to, row });
          const theirs = tf.tidy(() => reference(a, b, to, bias));
          const what = `[${m}, ${n}, ${k}] + rows ${row} to ${row + m} of ${rows}, transposeA ${transposeA}, transposeB ${transposeB}, bias ${withBias}`;
          const limit = backend === 'wasm' ? (k + 1) * 2 ** -22 : backend === 'webgpu' ? k * 1e-6 : 0;
          expect(await maxDiff(ours, theirs), what).toBeLessThanOrEqual(limit);
          if (k < 100) {
            const w = tf.tensor2d(values(m * n, 13), [m, n]);
            const inputs = bias ? [a, b, to, bias] : [a, b, to];
            const loss =
              (f: (...t: tf.Tensor[]) => tf.Tensor) =>
              (...t: tf.Tensor[]) =>
                tf.sum(tf.mul(f(...t), w));
            const args = (t: tf.Tensor[]) =>
              [t[0], t[1], t[2], t[3]] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
            const mine = tf.grads(
              loss((...t) => {
                const [x, y, add, c] = args(t);
                return matMul(x, y, transposeA, transposeB, { bias: c, relu: true }, { to: add, row });
              }),
            )(inputs);
            const tfs = tf.grads(loss((...t) => reference(...args(t))))(inputs);
            for (const [i, g] of mine.entries()) {
              expect(g.shape, `${what}, input ${i}`).toEqual((tfs[i] as tf.Tensor).shape);
              expect(await maxDiff(g, tfs[i] as tf.Tensor), `${what}, input ${i}`).toBeLessThan(1e-5);
            }
            tf.dispose([w, ...mine, ...tfs]);
          }
          tf.dispose([a, b, to, ours, theirs, ...(bias ? [bias] : [])]);
        }
      }
    }
    const { a, b } = operands(4, 8, 3, false, 1);
    const to = tf.tensor2d(values(40, 2), [5, 8]);
    const info = await tf.profile(() => matMul(a, b, false, false, {}, { to, row: 1 }));
    expect(info.kernels.map((kernel) => kernel.name)).toEqual(
      backend === 'wasm' ? ['BrickmlMatMul'] : ['BatchMatMul', 'Slice', 'Add'],
    );
    (info.result as tf.Tensor).dispose();
    expect(() => matMul(a, b, false, false, {}, { to, row: 2 })).toThrow(
      'matMul: the addend must be [R, 8] with rows 2 to 6 in it, received [5,8]',
    );
    tf.dispose([a, b, to]);
  });

  test(`matMul leaks no tensor and no wasm memory (its panel is freed) (${backend})`, async () => {
    const { a, b } = operands(13, 20, 1100, true, 2, true);
    await expectNoLeak(() => {
      matMul(a, b, true, true).dispose();
    });
    // The backend's own count sees the panel too, which the engine never hears of.
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) matMul(a, b, true, true).dispose();
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose([a, b]);
  });
});

/** The wasm backend's view of a tensor: its byte offset in the memory. */
const offsetOf = (t: tf.Tensor) => (tf.backend() as unknown as WasmBackendLike).dataIdMap.get(t.dataId).memoryOffset;

forEachBackend(
  () => {
    test('B packed once (packB, B or Bᵀ as stored) serves products that skip the copy (packedCalls), equal to matMul bit for bit', async () => {
      // [m, n, k]: tails of rows and of columns (8 + 4 + 1), k in two passes (1024 + 476), a row alone.
      for (const [m, n, k] of [
        [7, 13, 33],
        [32, 512, 128],
        [6, 37, 1500],
        [1, 8, 5],
      ] as const) {
        for (const transposeB of [false, true]) {
          const b = tf.tensor2d(values(k * n, 1), transposeB ? [n, k] : [k, n]);
          const as = [2, 3].map((seed) => tf.tensor2d(values(m * k, seed), [m, k]));
          const c = tf.zeros([m, n]);
          const room = tf.zeros([packedFloats(k, n)]);
          const memory = memoryOf(tf.backend() as unknown as WasmBackendLike) as object;
          const packed = packB(memory, offsetOf(b), k, n, offsetOf(room), transposeB);
          expect(packed.passes.length).toBe(Math.ceil(k / 1024));
          for (const [i, a] of as.entries()) {
            for (const { run, args } of packedCalls(memory, packed, m, k, offsetOf(a), offsetOf(c), false))
              run(...args);
            const want = matMul(a as tf.Tensor2D, b, false, transposeB);
            const what = `[${m}, ${n}, ${k}], transposeB ${transposeB}, A ${i}`;
            expect(Array.from(await c.data()), what).toEqual(Array.from(await want.data()));
            want.dispose();
          }
          tf.dispose([b, ...as, c, room]);
        }
      }
    });
  },
  TEST_BACKENDS.filter((b) => b === 'wasm'),
);
