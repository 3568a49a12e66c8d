/**
 * brickml's own products on wasm's threaded build (packages/core/src/wasm-helpers.ts, wasm-helpers-node.ts):
 * C cut into slices that the threads claim over the shared memory. matMul, conv2d and conv2dKernelGrad
 * against tfjs' kernels on shapes that are cut by columns, by rows, with tails and k in passes, once as the
 * threads claim the slices and once with the helper running all of them; a helper's failure reaches the
 * caller, which goes on, and one that never finishes fails it after a limit instead of hanging; memory.
 */
import {
  conv2d,
  conv2dKernelGrad,
  formula as F,
  type LSTMSequenceOutputs,
  lstmSequence,
  lstmSequenceGrad,
  matMul,
  ownMatMulThreads,
  Random,
  setOwnKernels,
  useBackend,
} from '@brickml/core';
import { maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { RUN_PARAMS } from '../packages/core/src/wasm-gemm.js';
import {
  type KernelHelpers,
  kernelHelpers,
  type ProductCall,
  runOnThreads,
  setKernelHelpers,
} from '../packages/core/src/wasm-helpers.js';
import { startKernelHelpers } from '../packages/core/src/wasm-helpers-node.js';
import { compileModule, I32, memoryOf, type WasmBackendLike } from '../packages/core/src/wasm-module.js';

const values = (size: number, seed: number) => Float32Array.from(new Random(seed).uniformArray(size, -1, 1));
const memory = () => memoryOf(tf.backend() as unknown as Partial<WasmBackendLike>) as object;

/**
 * The helpers, wrapped to keep each job's calls per chunk and the chunks the helper ran; with `helperOnly`,
 * this thread claims none, so the helper must run every chunk.
 */
function watching(helpers: KernelHelpers, helperOnly = false) {
  const jobs: { chunks: number[]; ran: number }[] = [];
  const wrapped: KernelHelpers = {
    count: helpers.count,
    maxCalls: helpers.maxCalls,
    start: (chunks) => {
      jobs.push({ chunks: chunks.map((calls) => calls.length), ran: 0 });
      helpers.start(chunks);
    },
    claim: () => (helperOnly ? Number.POSITIVE_INFINITY : helpers.claim()),
    wait: (h) => {
      const ran = helpers.wait(h);
      (jobs.at(-1) as { ran: number }).ran += ran;
      return ran;
    },
    close: () => helpers.close(),
  };
  return { helpers: wrapped, jobs };
}

describe('brickml’s products on two wasm threads', () => {
  let helpers: KernelHelpers;
  beforeAll(async () => {
    await useBackend('wasm', { threads: 2 });
    helpers = kernelHelpers(memory()) as KernelHelpers;
  });
  afterEach(() => {
    setOwnKernels(true);
    setKernelHelpers(memory(), helpers);
  });
  afterAll(async () => {
    await useBackend('cpu');
  });

  test('a helper thread started with the backend, and matMul runs on both', () => {
    expect(helpers?.count).toBe(1);
    expect(ownMatMulThreads()).toBe(2);
    setOwnKernels(false);
    expect(ownMatMulThreads()).toBe(0);
  });

  test('matMul equals tf.matMul cut by columns, by rows, with tails and k in passes, A and B in place or transposed', async () => {
    const r = new Random(3);
    const drawn = Array.from({ length: 3 }, () => [40 + r.int(200), 1 + r.int(300), 100 + r.int(900)]);
    // [m, n, k], in 8 slices (4 a thread) or fewer: C's columns cut into 8 slices of 64, 37 into 4 of 8 and
    // one of 5 (tails of 4 + 1); C's rows where n < 16 (4800 into 8 of 600; 3282 into 7 of 412 and one of 398,
    // a tile tail of 2; 967 into 7 of 124 and one of 99, a tail of 3) and where Aᵀ is packed; k in two
    // passes (1024 + 476).
    const shapes = [[128, 512, 784], [1600, 37, 300], [4800, 9, 400], [3282, 10, 512], [967, 12, 1500], ...drawn];
    for (const helperOnly of [false, true]) {
      const watched = watching(helpers, helperOnly);
      setKernelHelpers(memory(), watched.helpers);
      for (const [m, n, k] of shapes as [number, number, number][]) {
        for (const [transposeA, transposeB] of [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ] as const) {
          const a = tf.tensor2d(values(m * k, m), transposeA ? [k, m] : [m, k]);
          const b = tf.tensor2d(values(k * n, n), transposeB ? [n, k] : [k, n]);
          const before = watched.jobs.length;
          const ours = matMul(a, b, transposeA, transposeB);
          const what = `[${m}, ${n}, ${k}], transposeA ${transposeA}, transposeB ${transposeB}, helper only ${helperOnly}`;
          // Products of 2^24 multiply-adds and more are cut; a k over 1024 is one call per pass.
          const jobs = watched.jobs.slice(before);
          if (m * n * k >= 2 ** 24) {
            expect(jobs.length, what).toBe(1);
            const { chunks, ran } = jobs[0] as { chunks: number[]; ran: number };
            expect(chunks.length, what).toBeGreaterThan(1);
            expect(new Set(chunks), what).toEqual(new Set([Math.ceil(k / 1024)]));
            if (helperOnly) expect(ran, what).toBe(chunks.length);
          } else expect(jobs, what).toEqual([]);
          setOwnKernels(false);
          const theirs = tf.matMul(a, b, transposeA, transposeB);
          setOwnKernels(true);
          expect(await maxDiff(ours, theirs), what).toBeLessThanOrEqual(k * 2 ** -22);
          tf.dispose([a, b, ours, theirs]);
        }
      }
    }
  });

  test('conv2d and its kernel gradient equal tfjs’ convolution and the tap-by-tap sums, cut over both threads', async () => {
    type Four = [number, number, number, number];
    const cases: { x: Four; k: [number, number, number]; s: [number, number] }[] = [
      { x: [2, 74, 73, 16], k: [3, 3, 24], s: [1, 1] },
      { x: [2, 161, 120, 9], k: [3, 4, 20], s: [2, 1] },
      { x: [4, 34, 34, 32], k: [3, 3, 64], s: [1, 1] },
      // Each image's kernel-gradient product is 2.7 million multiply-adds, the 24 images' 64 million.
      { x: [24, 14, 14, 32], k: [3, 3, 64], s: [1, 1] },
    ];
    for (const [
      helperOnly,
      {
        x: shape,
        k: [kh, kw, f],
        s,
      },
    ] of [false, true].flatMap((only) => cases.map((c) => [only, c] as const))) {
      const watched = watching(helpers, helperOnly);
      setKernelHelpers(memory(), watched.helpers);
      const [n, h, w, c] = shape;
      const x = tf.tensor4d(values(n * h * w * c, h), [n, h, w, c]);
      const kernel = tf.tensor4d(values(kh * kw * c * f, f), [kh, kw, c, f]);
      const [oh, ow] = [Math.floor((h - kh) / s[0]) + 1, Math.floor((w - kw) / s[1]) + 1];
      const dy = tf.tensor4d(values(n * oh * ow * f, oh), [n, oh, ow, f]);
      const what = `x ${shape}, kernel ${kh}×${kw}→${f}, strides ${s}, helper only ${helperOnly}`;
      const ours = conv2d(x, kernel, s);
      const dk = conv2dKernelGrad(x, dy, [kh, kw], s);
      // The convolution is one call a slice (its rows, the output pixels, are cut); the kernel gradient one call
      // per image, its images cut into parts (two a thread where there are as many images: 2 images in 2
      // parts, 4 in 4, 24 in 4 of 6), each summing into a dW of its own. Each is over 2^24 multiply-adds in
      // all, so both are cut.
      const [convolution, gradient] = watched.jobs;
      expect(watched.jobs.length, what).toBe(2);
      expect(new Set(convolution?.chunks), what).toEqual(new Set([1]));
      const parts = Math.min(n, 4);
      expect(gradient?.chunks, what).toEqual(new Array(parts).fill(n / parts));
      for (const job of watched.jobs) {
        expect(job.chunks.length, what).toBeGreaterThan(1);
        if (helperOnly) expect(job.ran, what).toBe(job.chunks.length);
      }
      setOwnKernels(false);
      const theirs = tf.conv2d(x, kernel, s, 'valid');
      const dkTheirs = conv2dKernelGrad(x, dy, [kh, kw], s);
      setOwnKernels(true);
      expect(await maxDiff(ours, theirs), what).toBeLessThanOrEqual(kh * kw * c * 2 ** -22);
      expect(await maxDiff(dk, dkTheirs), what).toBeLessThan(n * oh * ow * 2 ** -20);
      tf.dispose([x, kernel, dy, ours, dk, theirs, dkTheirs]);
    }
  });

  test('the epilogue (bias and relu) on slices cut by columns and by rows, as the threads claim them and on the helper alone', async () => {
    for (const helperOnly of [false, true]) {
      setKernelHelpers(memory(), watching(helpers, helperOnly).helpers);
      for (const [m, n, k] of [
        [128, 512, 784],
        [1600, 37, 300],
        [4800, 9, 400],
      ] as const) {
        const a = tf.tensor2d(values(m * k, m), [m, k]);
        const b = tf.tensor2d(values(k * n, n), [k, n]);
        const bias = tf.tensor1d(values(n, 5));
        const ours = matMul(a, b, false, false, { bias, relu: true });
        setOwnKernels(false);
        const theirs = matMul(a, b, false, false, { bias, relu: true });
        setOwnKernels(true);
        expect(await maxDiff(ours, theirs), `[${m}, ${n}, ${k}], helper only ${helperOnly}`).toBeLessThanOrEqual(
          k * 2 ** -22,
        );
        tf.dispose([a, b, bias, ours, theirs]);
      }
      const x = tf.tensor4d(values(4 * 34 * 34 * 32, 3), [4, 34, 34, 32]);
      const kernel = tf.tensor4d(values(3 * 3 * 32 * 64, 4), [3, 3, 32, 64]);
      const bias = tf.tensor1d(values(64, 6));
      const ours = conv2d(x, kernel, [1, 1], undefined, { bias, relu: true });
      const theirs = tf.relu(tf.add(tf.conv2d(x, kernel, 1, 'valid'), bias));
      expect(await maxDiff(ours, theirs), `convolution, helper only ${helperOnly}`).toBeLessThanOrEqual(288 * 2 ** -22);
      tf.dispose([x, kernel, bias, ours, theirs]);
    }
  });

  test('a large formula is cut over the threads and equals the tfjs ops bit for bit, as claimed and on the helper alone', async () => {
    const [A, B, C] = [0, 1, 2].map(F.inputOf) as [F.Formula, F.Formula, F.Formula];
    // An RMSprop-like pair: two inputs and two constants, three and two; 600,003 floats (a scalar tail).
    const formulas = [
      F.add(F.mul(A, F.constant(0.9)), F.mul(F.square(B), F.constant(0.1))),
      F.sub(A, F.div(F.mul(B, F.constant(0.001)), F.add(F.sqrt(C), F.constant(1e-7)))),
    ];
    const size = 600_003;
    const xs = [values(size, 1), values(size, 2), values(size, 3).map(Math.abs)].map((v) => tf.tensor1d(v));
    for (const helperOnly of [false, true]) {
      const watched = watching(helpers, helperOnly);
      setKernelHelpers(memory(), watched.helpers);
      for (const [k, f] of formulas.entries()) {
        const inputs = xs.slice(0, k + 2);
        const ours = F.runFormula(f, inputs);
        setOwnKernels(false);
        const theirs = F.runFormula(f, inputs);
        setOwnKernels(true);
        const what = `formula ${k}, helper only ${helperOnly}`;
        const [got, want] = [await ours.data(), await theirs.data()];
        // Counted, not compared as arrays: a failing comparison of 600,003 floats would print for minutes.
        expect(got.filter((v, i) => !Object.is(v, want[i])).length, what).toBe(0);
        const job = watched.jobs.at(-1);
        expect(job?.chunks.length, what).toBe(4);
        if (helperOnly) expect(job?.ran, what).toBe(4);
        tf.dispose([ours, theirs]);
      }
    }
    tf.dispose(xs);
  });

  test('a large Adam update (runFormulas: three results, twelve arguments) is cut over the threads, bit for bit', async () => {
    const [G, M, V, W] = [0, 1, 2, 3].map(F.inputOf) as [F.Formula, F.Formula, F.Formula, F.Formula];
    const [m1, v1] = [F.resultOf(0), F.resultOf(1)];
    const adam = [
      F.add(M, F.mul(F.sub(G, M), F.constant(0.1))),
      F.add(V, F.mul(F.sub(F.square(G), V), F.constant(0.001))),
      F.sub(W, F.div(F.mul(m1, F.constant(0.001)), F.add(F.sqrt(v1), F.constant(1e-7)))),
    ];
    const size = 600_003;
    const xs = [values(size, 1), values(size, 2), values(size, 3).map(Math.abs), values(size, 4)].map((v) =>
      tf.tensor1d(v),
    );
    for (const helperOnly of [false, true]) {
      const watched = watching(helpers, helperOnly);
      setKernelHelpers(memory(), watched.helpers);
      const ours = F.runFormulas(adam, xs);
      setOwnKernels(false);
      const theirs = F.runFormulas(adam, xs);
      setOwnKernels(true);
      for (const [k, y] of ours.entries()) {
        const [got, want] = [await y.data(), await (theirs[k] as tf.Tensor).data()];
        const what = `result ${k}, helper only ${helperOnly}`;
        expect(got.filter((v, i) => !Object.is(v, want[i])).length, what).toBe(0);
      }
      const job = watched.jobs.at(-1);
      expect(job?.chunks.length).toBe(4);
      if (helperOnly) expect(job?.ran).toBe(4);
      tf.dispose([...ours, ...theirs]);
    }
    tf.dispose(xs);
  });

  test('an LSTM loop (lstmSequence, lstmSequenceGrad) cuts its batch over the threads, bit for bit as on one', async () => {
    // [rows, units, time], 2^22 multiply-adds and more: 50 rows in parts of 16, 16, 16 and 2; 77 units (a last
    // vector that overlaps).
    for (const [rows, units, time] of [
      [50, 77, 6],
      [64, 64, 4],
    ] as const) {
      const draw = (shape: [number, number], seed: number, scale = 1) =>
        tf.tensor2d(
          values(shape[0] * shape[1], seed).map((v) => v * scale),
          shape,
        );
      const XW = draw([time * rows, 4 * units], 1, 2);
      const U = draw([units, 4 * units], 2, 0.3);
      const [h0, c0, dh, dc] = [3, 4, 5, 6].map((seed) => draw([rows, units], seed));
      const dY = draw([time * rows, units], 7);
      const run = () => {
        const out = lstmSequence(XW, U, h0 as tf.Tensor2D, c0 as tf.Tensor2D) as LSTMSequenceOutputs;
        const back = lstmSequenceGrad(dY, dh as tf.Tensor2D, dc as tf.Tensor2D, out, U, true);
        return [...Object.values(out), ...Object.values(back ?? {})] as tf.Tensor[];
      };
      setKernelHelpers(memory(), null);
      const alone = run();
      for (const helperOnly of [false, true]) {
        const watched = watching(helpers, helperOnly);
        setKernelHelpers(memory(), watched.helpers);
        const cut = run();
        const what = `[${rows}, ${units}] × ${time}, helper only ${helperOnly}`;
        expect(cut.length, what).toBe(10);
        for (const [i, t] of cut.entries()) {
          expect(Array.from(await t.data()), `${what}, output ${i}`).toEqual(Array.from(await alone[i]!.data()));
        }
        // One job each way, in parts of whole tiles of rows, two a thread.
        expect(watched.jobs.length, what).toBe(2);
        for (const job of watched.jobs) {
          expect(job.chunks.length, what).toBe(4);
          if (helperOnly) expect(job.ran, what).toBe(4);
        }
        tf.dispose(cut);
      }
      tf.dispose([...alone, XW, U, h0!, c0!, dh!, dc!, dY]);
    }
  });

  test('a call that fails on the helper fails the caller, which can go on; no tensor or wasm memory left behind', async () => {
    const a = tf.tensor2d(values(256 * 1100, 1), [256, 1100]);
    const b = tf.tensor2d(values(1100 * 64, 2), [1100, 64]);
    const product = () => matMul(a, b);
    product().dispose();
    // The backend's own count sees the panels too, which the engine never hears of.
    const [tensors, dataIds] = [tf.memory().numTensors, tf.backend().numDataIds()];
    for (let i = 0; i < 3; i++) product().dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);

    // A run whose panels lie past the end of the memory traps on the helper at its first store.
    const outside = { ...(await callOf(product)), args: [0, 0, 0, 0, 2 ** 31 - 64, 2 ** 31 - 64, 0] };
    setKernelHelpers(memory(), watching(helpers, true).helpers);
    expect(() => runOnThreads(memory(), [[outside]])).toThrow(/helper thread's product failed: .*out of bounds/);
    setKernelHelpers(memory(), helpers);
    const again = product();
    setOwnKernels(false);
    const expected = tf.matMul(a, b);
    expect(await maxDiff(again, expected)).toBeLessThanOrEqual(1100 * 2 ** -22);
    tf.dispose([a, b, again, expected]);
  });
});

describe('a helper thread that never finishes', () => {
  beforeAll(async () => {
    await useBackend('wasm', { threads: 2 });
  });

  test('fails its caller after the wait limit instead of hanging the process', async () => {
    const stuck = await startKernelHelpers(memory(), 1, { waitMs: 1500 });
    try {
      // loop { br 0 }: a run that never returns.
      const forever = compileModule(
        memory() as never,
        new Array(RUN_PARAMS).fill(I32),
        [],
        [0x03, 0x40, 0x0c, 0x00, 0x0b],
      );
      stuck.start([[{ module: forever.module, run: forever.run as () => void, args: new Array(RUN_PARAMS).fill(0) }]]);
      const started = performance.now();
      expect(() => stuck.wait(0)).toThrow(/did not finish its product in 1.5 s/);
      expect(performance.now() - started).toBeGreaterThan(1400);
    } finally {
      await stuck.close();
    }
  });
});

/** The first call a product hands the helper (its compiled module and run). */
async function callOf(product: () => tf.Tensor) {
  const inner = kernelHelpers(memory()) as KernelHelpers;
  let seen: ProductCall | undefined;
  setKernelHelpers(memory(), {
    ...inner,
    count: inner.count,
    maxCalls: inner.maxCalls,
    start: (chunks) => {
      seen ??= chunks[0]?.[0];
      inner.start(chunks);
    },
    claim: () => inner.claim(),
    wait: (h) => inner.wait(h),
    close: () => inner.close(),
  });
  product().dispose();
  setKernelHelpers(memory(), inner);
  if (!seen) throw new Error('the product was not cut');
  return seen;
}
