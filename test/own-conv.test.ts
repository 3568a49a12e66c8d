/**
 * The convolutions of brickml's own (packages/core/src/wasm-conv.ts: matMul's kernel over patches that are
 * never built) against tf.conv2d and against sums written out in JavaScript, on shapes that leave pixel and
 * filter tails, with strides and padding, and on random shapes; conv2d's registered gradient; their memory. On cpu and webgpu they
 * are tfjs ops, so the same checks hold there trivially; on wasm (one thread, relaxed SIMD) the kernels run.
 */
import { conv2d, conv2dKernelGrad, Random } from '@brickml/core';
import { expectNoLeak, forEachBackend, maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';

const values = (size: number, seed: number) => Float32Array.from(new Random(seed).uniformArray(size, -1, 1));
type Pads = [[number, number], [number, number]];

/** x [n, h, w, c], a kernel [kh, kw, f] (c from x), strides, pads [top, bottom, left, right]. */
interface Case {
  x: [number, number, number, number];
  k: [number, number, number];
  s: [number, number];
  p: [number, number, number, number];
}
const padsOf = ({ p: [t, b, l, r] }: Case): Pads => [
  [t, b],
  [l, r],
];
/** Three random cases from `seed`: windows of 64 numbers or more, so wasm runs brickml's kernels on them. */
function drawn(seed: number): Case[] {
  const r = new Random(seed);
  return Array.from({ length: 3 }, () => {
    const [kh, kw] = [1 + r.int(4), 1 + r.int(4)];
    const c = Math.ceil(64 / (kh * kw)) + r.int(8);
    const [sh, sw] = [1 + r.int(2), 1 + r.int(2)];
    const p: Case['p'] = [r.int(2), r.int(2), r.int(2), r.int(2)];
    return { x: [1 + r.int(3), kh + r.int(8), kw + r.int(8), c], k: [kh, kw, 1 + r.int(20)], s: [sh, sw], p };
  });
}
const label = ({ x, k, s, p }: Case) => `x [${x}], kernel [${k}], strides [${s}], pads [${p}]`;

/**
 * With L = Σ r[p, i, j, o]·x[p, i·sh + a, j·sw + b, q]·k[a, b, q, o] (x already padded, [n, h, w, c]),
 * dL/dx and dL/dk written out in float64.
 */
function writtenOut(xv: ArrayLike<number>, kv: ArrayLike<number>, rv: ArrayLike<number>, shape: number[]) {
  const [n, h, w, c, kh, kw, f, sh, sw] = shape as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [oh, ow] = [Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1];
  const [dx, dk] = [new Float64Array(n * h * w * c), new Float64Array(kh * kw * c * f)];
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
                dx[xi]! += (rv[ri] as number) * (kv[ki] as number);
                dk[ki]! += (rv[ri] as number) * (xv[xi] as number);
              }
  return { dx: Float32Array.from(dx), dk: Float32Array.from(dk) };
}

forEachBackend((backend) => {
  test(`conv2d equals tf.conv2d with strides, padding and odd sizes (${backend})`, async () => {
    const cases: Case[] = [
      { x: [1, 5, 5, 1], k: [3, 3, 1], s: [1, 1], p: [0, 0, 0, 0] }, // a window of 9: tf.conv2d on wasm too
      { x: [2, 7, 6, 11], k: [3, 2, 5], s: [1, 1], p: [1, 1, 0, 1] },
      { x: [3, 9, 8, 8], k: [3, 3, 13], s: [2, 1], p: [0, 0, 0, 0] },
      { x: [2, 10, 11, 8], k: [5, 4, 16], s: [2, 3], p: [2, 1, 1, 2] },
      { x: [4, 12, 12, 32], k: [3, 3, 64], s: [1, 1], p: [0, 0, 0, 0] },
      { x: [1, 6, 5, 120], k: [3, 3, 10], s: [1, 1], p: [0, 0, 0, 0] }, // a window of 1080: longer than a pass of matMul
      ...drawn(7),
    ];
    for (const one of cases) {
      const [[n, h, w, c], [kh, kw, f]] = [one.x, one.k];
      const x = tf.tensor4d(values(n * h * w * c, h), [n, h, w, c]);
      const k = tf.tensor4d(values(kh * kw * c * f, f), [kh, kw, c, f]);
      const ours = conv2d(x, k, one.s, padsOf(one));
      const theirs = tf.conv2d(x, k, one.s, [[0, 0], ...padsOf(one), [0, 0]]);
      expect(ours.shape).toEqual(theirs.shape);
      const limit = backend === 'cpu' ? 0 : kh * kw * c * 2 ** -22;
      expect(await maxDiff(ours, theirs), label(one)).toBeLessThanOrEqual(limit);
      tf.dispose([x, k, ours, theirs]);
    }
  });

  test(`conv2d is one call of brickml's kernel on one-thread wasm (a pad first where padded), for windows of 64 numbers or more (${backend})`, async () => {
    const x = tf.tensor4d(values(2 * 6 * 6 * 8, 1), [2, 6, 6, 8]);
    const k = tf.tensor4d(values(3 * 3 * 8 * 3, 2), [3, 3, 8, 3]);
    const names = async (f: () => tf.Tensor) => (await tf.profile(f)).kernels.map((e) => e.name);
    const padded = padsOf({ p: [1, 1, 1, 1] } as Case);
    const own = backend === 'wasm';
    expect(await names(() => conv2d(x, k, [1, 1]))).toEqual([own ? 'BrickmlConv2D' : 'Conv2D']);
    expect(await names(() => conv2d(x, k, [1, 1], padded))).toEqual(own ? ['BrickmlPad', 'BrickmlConv2D'] : ['Conv2D']);
    // A window of 9 numbers: XNNPACK's convolution.
    const grey = tf.tensor4d(values(3 * 3 * 1 * 3, 2), [3, 3, 1, 3]);
    const one = tf.slice(x, [0, 0, 0, 0], [2, 6, 6, 1]) as tf.Tensor4D;
    expect(await names(() => conv2d(one, grey, [1, 1]))).toEqual(['Conv2D']);
    await expectNoLeak(() => {
      conv2d(x, k, [1, 1], padded).dispose();
    });
    const dataIds = tf.backend().numDataIds(); // the panel too
    conv2d(x, k, [2, 2]).dispose();
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose([x, k, grey, one]);
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
    const want = writtenOut(xv, kv, rv, [n, h, w, c, kh, kw, f, sh, sw]);
    const [wantX, wantK] = [tf.tensor(want.dx, x.shape), tf.tensor(want.dk, k.shape)];
    expect(await maxDiff(dx!, wantX)).toBeLessThan(1e-5);
    expect(await maxDiff(dk!, wantK)).toBeLessThan(1e-5);
    tf.dispose([x, k, r, dx!, dk!, wantX, wantK]);
  });

  test(`conv2d's epilogue (bias, relu, both) equals tf.add and tf.relu after tf.conv2d, its gradient theirs (${backend})`, async () => {
    // Windows of 66 numbers (brickml's kernel on wasm; 5 filters: a partial column group) and of 6
    // (tf.fused.conv2d, XNNPACK's fused bias and clamp on wasm).
    const cases: Case[] = [
      { x: [2, 7, 8, 11], k: [3, 2, 5], s: [2, 1], p: [1, 0, 0, 1] },
      { x: [2, 6, 5, 1], k: [3, 2, 3], s: [1, 1], p: [0, 0, 0, 0] },
    ];
    for (const [one, { bias: withBias, relu }] of cases.flatMap((c) =>
      [
        { bias: true, relu: false },
        { bias: false, relu: true },
        { bias: true, relu: true },
      ].map((e) => [c, e] as const),
    )) {
      const [n, h, w, c] = one.x;
      const [kh, kw, f] = one.k;
      const x = tf.tensor4d(values(n * h * w * c, 5), one.x);
      const k = tf.tensor4d(values(kh * kw * c * f, 6), [kh, kw, c, f]);
      const bias = withBias ? tf.tensor1d(values(f, 7)) : undefined;
      const inputs = bias ? [x, k, bias] : [x, k];
      const what = `${label(one)}, bias ${withBias}, relu ${relu}`;
      // The same convolution without the epilogue, then tfjs' ops (whose gradients are tfjs' own).
      const theirs = (a: tf.Tensor, b: tf.Tensor, d?: tf.Tensor): tf.Tensor4D => {
        const z = conv2d(a as tf.Tensor4D, b as tf.Tensor4D, one.s, padsOf(one));
        const q = d ? tf.add(z, d) : z;
        return (relu ? tf.relu(q) : q) as tf.Tensor4D;
      };
      const ours = (a: tf.Tensor, b: tf.Tensor, d?: tf.Tensor) =>
        conv2d(a as tf.Tensor4D, b as tf.Tensor4D, one.s, padsOf(one), { bias: d as tf.Tensor1D | undefined, relu });
      const [y, yTheirs] = [ours(x, k, bias), theirs(x, k, bias)];
      expect(await maxDiff(y, yTheirs), what).toBeLessThan(1e-5);
      if (relu)
        expect(
          (await y.data()).some((v) => v === 0),
          what,
        ).toBe(true);
      // wasm has no Conv2DBackpropFilter, which tf.conv2d's gradient needs: small windows' are not taken there.
      if (backend === 'wasm' && kh * kw * c < 64) {
        tf.dispose([x, k, y, yTheirs, ...(bias ? [bias] : [])]);
        continue;
      }
      const r = tf.tensor(values(y.size, 8), y.shape);
      const loss =
        (g: typeof ours) =>
        (...t: tf.Tensor[]) =>
          tf.sum(tf.mul(g(t[0]!, t[1]!, t[2]), r));
      const [mine, tfs] = [tf.grads(loss(ours))(inputs), tf.grads(loss(theirs))(inputs)];
      for (const [i, g] of mine.entries()) {
        expect(await maxDiff(g, tfs[i] as tf.Tensor), `${what}, input ${i}`).toBeLessThan(1e-5);
      }
      tf.dispose([x, k, y, yTheirs, r, ...mine, ...tfs, ...(bias ? [bias] : [])]);
    }
  });

  test(`conv2dKernelGrad equals the sums written out, with strides, padding and odd sizes (${backend})`, async () => {
    const cases: Case[] = [
      { x: [2, 6, 7, 11], k: [3, 2, 5], s: [1, 1], p: [0, 0, 0, 0] },
      { x: [3, 8, 9, 8], k: [3, 3, 13], s: [2, 1], p: [1, 1, 0, 2] },
      { x: [1, 5, 5, 1], k: [2, 2, 3], s: [1, 2], p: [0, 1, 1, 0] },
      { x: [1, 36, 34, 4], k: [3, 3, 10], s: [1, 1], p: [0, 0, 0, 0] }, // 1088 output pixels: longer than a pass
      ...drawn(8),
    ];
    for (const one of cases) {
      const [[n, h, w, c], [kh, kw, f], [sh, sw]] = [one.x, one.k, one.s];
      const x = tf.tensor4d(values(n * h * w * c, h), [n, h, w, c]);
      const xp = tf.pad(x, [[0, 0], ...padsOf(one), [0, 0]]) as tf.Tensor4D;
      const [, hp, wp] = xp.shape;
      const [oh, ow] = [Math.floor((hp - kh) / sh) + 1, Math.floor((wp - kw) / sw) + 1];
      const dyv = values(n * oh * ow * f, f);
      const dy = tf.tensor4d(dyv, [n, oh, ow, f]);
      const ours = conv2dKernelGrad(x, dy, [kh, kw], [sh, sw], padsOf(one));
      const { dk } = writtenOut(await xp.data(), new Float32Array(kh * kw * c * f), dyv, [
        n,
        hp,
        wp,
        c,
        kh,
        kw,
        f,
        sh,
        sw,
      ]);
      const wanted = tf.tensor4d(dk, [kh, kw, c, f]);
      expect(ours.shape, label(one)).toEqual([kh, kw, c, f]);
      if (backend === 'wasm' && one.p.every((v) => v === 0)) {
        const names = (await tf.profile(() => conv2dKernelGrad(x, dy, [kh, kw], [sh, sw]))).kernels.map((e) => e.name);
        expect(names, label(one)).toEqual(['BrickmlConv2DFilter']);
      }
      expect(await maxDiff(ours, wanted), label(one)).toBeLessThan(n * oh * ow * 2 ** -20);
      tf.dispose([x, xp, dy, ours, wanted]);
    }
  });
});
