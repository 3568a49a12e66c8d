import { forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import type { Geometry } from './conv-utils.js';
import { type Padding, pair, windowAxis } from './conv-utils.js';
import { inputGradByConv, kernelGradByShifts, kernelGradBySlices } from './conv2d-backprop.js';
import { kernelGradByRuns } from './kernel-grad-runs.js';

/** Each backend runs one dW layout and one dx form in Conv2D; here every backend checks all of them. */
const cases: [string, { k: number | [number, number]; s?: number; d?: number | [number, number]; padding: Padding }][] =
  [
    ['3x3 valid', { k: 3, padding: 'valid' }],
    ['[2, 3] stride 2 same', { k: [2, 3], s: 2, padding: 'same' }],
    ['3x3 stride 3 valid (leftover rows)', { k: 3, s: 3, padding: 'valid' }],
    ['2x2 dilation 2 same', { k: 2, d: 2, padding: 'same' }],
    ['[3, 2] dilation [1, 2] valid (leftover rows and columns)', { k: [3, 2], d: [1, 2], padding: 'valid' }],
  ];

async function close(a: tf.Tensor, b: tf.Tensor): Promise<void> {
  expect(a.shape).toEqual(b.shape);
  const [av, bv] = [await a.data(), await b.data()];
  for (let i = 0; i < av.length; i++) expect(av[i]).toBeCloseTo(bv[i] as number, 4);
}

forEachBackend(() => {
  for (const [what, c] of cases) {
    test(`dW by shifts, by slices and by runs, and the conv-form dx, agree with the definitions (${what})`, async () => {
      const [k, s, d] = [pair(c.k), pair(c.s ?? 1), pair(c.d ?? 1)];
      const [h, w] = [7, 6];
      const g: Geometry = {
        k,
        s,
        d,
        rows: windowAxis(h, k[0], s[0], d[0], c.padding),
        cols: windowAxis(w, k[1], s[1], d[1], c.padding),
      };
      const x = tf.randomUniform([2, h, w, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
      const kernel = tf.randomUniform([k[0], k[1], 3, 4], -1, 1, 'float32', 2) as tf.Tensor4D;
      const dz = tf.randomUniform([2, g.rows.out, g.cols.out, 4], -1, 1, 'float32', 3) as tf.Tensor4D;
      // The definitions, by autodiff of Σ conv(x, W)·dz on cpu-independent ops.
      const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(xx, ww, s, c.padding, 'NHWC', d), dz));
      const dW = kernelGradByShifts(x, dz, g);
      await close(dW, kernelGradBySlices(x, dz, g));
      if (s[0] === 1 && s[1] === 1) {
        const runs = kernelGradByRuns(x, dz, g, true);
        await close(dW, runs.kernel);
        await close(runs.bias as tf.Tensor, tf.sum(dz, [0, 1, 2]));
      }
      const dx = inputGradByConv(dz, kernel, g, h, w);
      if (d[0] === 1 && d[1] === 1 && tf.getBackend() !== 'wasm') {
        const [ax, aw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => f(xx as tf.Tensor4D, ww as tf.Tensor4D))([
          x,
          kernel,
        ]);
        await close(dx, ax as tf.Tensor);
        await close(dW, aw as tf.Tensor);
        tf.dispose([ax as tf.Tensor, aw as tf.Tensor]);
      } else {
        // Σ dx·v = Σ dz·conv(v, W) for any v: dx is the adjoint of the convolution.
        const v = tf.randomUniform(x.shape, -1, 1, 'float32', 4);
        const lhs = await tf.sum(tf.mul(dx, v)).data();
        const rhs = await tf.sum(tf.mul(dz, tf.conv2d(v as tf.Tensor4D, kernel, s, c.padding, 'NHWC', d))).data();
        expect(lhs[0]).toBeCloseTo(rhs[0] as number, 3);
      }
      tf.dispose([x, kernel, dz, dW, dx]);
    });
  }
});
