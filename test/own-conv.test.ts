/**
 * The convolution of brickml's own (packages/core/src/wasm-conv.ts: matMul's kernel over patches that are
 * never built) against tf.conv2d on shapes that leave pixel and filter tails, with strides and padding;
 * its registered gradient against sums written out in JavaScript; its memory. On cpu and webgpu conv2d is
 * tf.conv2d, so the same checks hold there trivially; on wasm (one thread, relaxed SIMD) the kernel runs.
 */
import { conv2d, conv2dKernelGrad, Random } from '@brickml/core';
import { expectNoLeak, forEachBackend, maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';

const values = (size: number, seed: number) => Float32Array.from(new Random(seed).uniformArray(size, -1, 1));
type Pads = [[number, number], [number, number]];

forEachBackend((backend) => {
  test(`conv2d equals tf.conv2d with strides, padding and odd sizes (${backend})`, async () => {
    // [n, h, w, c], [kh, kw, f], strides, pads
    const cases: [[number, number, number, number], [number, number, number], [number, number], Pads][] = [
      [
        [1, 5, 5, 1],
        [3, 3, 1],
        [1, 1],
        [
          [0, 0],
          [0, 0],
        ],
      ],
      [
        [2, 7, 6, 3],
        [3, 2, 5],
        [1, 1],
        [
          [1, 1],
          [0, 1],
        ],
      ],
      [
        [3, 9, 8, 4],
        [3, 3, 13],
        [2, 1],
        [
          [0, 0],
          [0, 0],
        ],
      ],
      [
        [2, 10, 11, 8],
        [5, 4, 16],
        [2, 3],
        [
          [2, 1],
          [1, 2],
        ],
      ],
      [
        [4, 12, 12, 32],
        [3, 3, 64],
        [1, 1],
        [
          [0, 0],
          [0, 0],
        ],
      ],
    ];
    for (const [[n, h, w, c], [kh, kw, f], strides, pads] of cases) {
      const x = tf.tensor4d(values(n * h * w * c, h), [n, h, w, c]);
      const k = tf.tensor4d(values(kh * kw * c * f, f), [kh, kw, c, f]);
      const ours = conv2d(x, k, strides, pads);
      const theirs = tf.conv2d(x, k, strides, [[0, 0], ...pads, [0, 0]]);
      expect(ours.shape).toEqual(theirs.shape);
      const limit = backend === 'cpu' ? 0 : kh * kw * c * 2 ** -22;
      const what = `x [${n}, ${h}, ${w}, ${c}], kernel [${kh}, ${kw}, ${f}], strides ${strides}, pads ${pads}`;
      expect(await maxDiff(ours, theirs), what).toBeLessThanOrEqual(limit);
      tf.dispose([x, k, ours, theirs]);
    }
  });

  test(`conv2d is one call of brickml's kernel on one-thread wasm (a pad first where padded), for windows of 64 numbers or more (${backend})`, async () => {
    const x = tf.tensor4d(values(2 * 6 * 6 * 8, 1), [2, 6, 6, 8]);
    const k = tf.tensor4d(values(3 * 3 * 8 * 3, 2), [3, 3, 8, 3]);
    const grey = tf.tensor4d(values(3 * 3 * 1 * 3, 2), [3, 3, 1, 3]);
    const names = async (pads: Pads) => (await tf.profile(() => conv2d(x, k, [1, 1], pads))).kernels.map((e) => e.name);
    const own = backend === 'wasm';
    expect(
      await names([
        [0, 0],
        [0, 0],
      ]),
    ).toEqual([own ? 'BrickmlConv2D' : 'Conv2D']);
    expect(
      await names([
        [1, 1],
        [1, 1],
      ]),
    ).toEqual(own ? ['PadV2', 'BrickmlConv2D'] : ['Conv2D']);
    // A window of 9 numbers: XNNPACK's convolution.
    const one = tf.slice(x, [0, 0, 0, 0], [2, 6, 6, 1]) as tf.Tensor4D;
    expect((await tf.profile(() => conv2d(one, grey, [1, 1]))).kernels.map((e) => e.name)).toEqual(['Conv2D']);
    tf.dispose([one, grey]);
    await expectNoLeak(() => {
      conv2d(
        x,
        k,
        [1, 1],
        [
          [1, 0],
          [0, 1],
        ],
      ).dispose();
    });
    const dataIds = tf.backend().numDataIds(); // the panel too
    conv2d(x, k, [2, 2]).dispose();
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose([x, k]);
  });

  test(`conv2d's gradient under tfjs' autodiff equals the sums written out (${backend})`, async () => {
    const [n, h, w, c, kh, kw, f, sh, sw] = [2, 5, 6, 11, 3, 2, 4, 2, 1];
    const [oh, ow] = [Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1];
    const [xv, kv, rv] = [values(n * h * w * c, 1), values(kh * kw * c * f, 2), values(n * oh * ow * f, 3)];
    const x = tf.tensor4d(xv, [n, h, w, c]);
    const k = tf.tensor4d(kv, [kh, kw, c, f]);
    const r = tf.tensor4d(rv, [n, oh, ow, f]);
    const [dx, dk] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [sh, sw]), r)),
    )([x, k]);
    // L = Σ r[p, i, j, o]·x[p, i·sh + a, j·sw + b, q]·k[a, b, q, o]
    const [ex, ek] = [new Float64Array(xv.length), new Float64Array(kv.length)];
    for (let p = 0; p < n; p++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let a = 0; a < kh; a++)
            for (let b = 0; b < kw; b++)
              for (let q = 0; q < c; q++)
                for (let o = 0; o < f; o++) {
                  const xi = ((p * h + i * sh + a) * w + j * sw + b) * c + q;
                  const ki = ((a * kw + b) * c + q) * f + o;
                  const ri = ((p * oh + i) * ow + j) * f + o;
                  ex[xi]! += rv[ri]! * kv[ki]!;
                  ek[ki]! += rv[ri]! * xv[xi]!;
                }
    const [wantX, wantK] = [tf.tensor(Float32Array.from(ex), x.shape), tf.tensor(Float32Array.from(ek), k.shape)];
    expect(await maxDiff(dx!, wantX)).toBeLessThan(1e-5);
    expect(await maxDiff(dk!, wantK)).toBeLessThan(1e-5);
    tf.dispose([x, k, r, dx!, dk!, wantX, wantK]);
  });

  test(`conv2dKernelGrad equals the sums written out, with strides, padding and odd sizes (${backend})`, async () => {
    // [n, h, w, c], [kh, kw, f], strides, pads
    const cases: [[number, number, number, number], [number, number, number], [number, number], Pads][] = [
      [
        [2, 6, 7, 11],
        [3, 2, 5],
        [1, 1],
        [
          [0, 0],
          [0, 0],
        ],
      ],
      [
        [3, 8, 9, 8],
        [3, 3, 13],
        [2, 1],
        [
          [1, 1],
          [0, 2],
        ],
      ],
      [
        [1, 5, 5, 1],
        [2, 2, 3],
        [1, 2],
        [
          [0, 1],
          [1, 0],
        ],
      ],
    ];
    for (const [[n, h, w, c], [kh, kw, f], [sh, sw], pads] of cases) {
      const x = tf.tensor4d(values(n * h * w * c, h), [n, h, w, c]);
      const xp = tf.pad(x, [[0, 0], ...pads, [0, 0]]) as tf.Tensor4D;
      const [, hp, wp] = xp.shape;
      const [oh, ow] = [Math.floor((hp - kh) / sh) + 1, Math.floor((wp - kw) / sw) + 1];
      const dyv = values(n * oh * ow * f, f);
      const dy = tf.tensor4d(dyv, [n, oh, ow, f]);
      const ours = conv2dKernelGrad(x, dy, [kh, kw], [sh, sw], pads);
      const xv = await xp.data();
      const want = new Float64Array(kh * kw * c * f);
      for (let p = 0; p < n; p++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++)
            for (let a = 0; a < kh; a++)
              for (let b = 0; b < kw; b++)
                for (let q = 0; q < c; q++)
                  for (let o = 0; o < f; o++) {
                    const xi = ((p * hp + i * sh + a) * wp + j * sw + b) * c + q;
                    want[((a * kw + b) * c + q) * f + o]! += dyv[((p * oh + i) * ow + j) * f + o]! * xv[xi]!;
                  }
      const wanted = tf.tensor4d(Float32Array.from(want), [kh, kw, c, f]);
      const what = `x [${n}, ${h}, ${w}, ${c}], kernel [${kh}, ${kw}, ${f}], strides ${[sh, sw]}, pads ${pads}`;
      expect(ours.shape, what).toEqual([kh, kw, c, f]);
      if (backend === 'wasm' && pads.flat().every((v) => v === 0)) {
        const names = (await tf.profile(() => conv2dKernelGrad(x, dy, [kh, kw], [sh, sw]))).kernels.map((e) => e.name);
        expect(names, what).toEqual(['BrickmlConv2DFilter']);
      }
      expect(await maxDiff(ours, wanted), what).toBeLessThan(n * oh * ow * 2 ** -20);
      tf.dispose([x, xp, dy, ours, wanted]);
    }
  });
});
