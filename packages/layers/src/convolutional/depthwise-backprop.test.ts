import { forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import { type Geometry, type Padding, pair, windowAxis } from './conv-utils.js';
import { depthwiseInputGrad, depthwiseKernelGrad } from './depthwise-backprop.js';

/**
 * Both pieces are linear maps checked through their defining identities, which hold on every backend,
 * dilation included: Σ dx·v = Σ dz·depthwise(v, W) and Σ dW·V = Σ dz·depthwise(x, V) for any v and V.
 */
const cases: [
  string,
  { k: number | [number, number]; s?: number | [number, number]; d?: number; m: number; padding: Padding },
][] = [
  ['3x3 valid', { k: 3, m: 1, padding: 'valid' }],
  ['[2, 3] stride 2 same, multiplier 2', { k: [2, 3], s: 2, m: 2, padding: 'same' }],
  ['3x3 stride [3, 2] valid (leftover rows), multiplier 3', { k: 3, s: [3, 2], m: 3, padding: 'valid' }],
  ['2x2 dilation 2 same, multiplier 2', { k: 2, d: 2, m: 2, padding: 'same' }],
];

forEachBackend(() => {
  for (const [what, c] of cases) {
    test(`dx and dW are the adjoints of the depthwise convolution (${what})`, async () => {
      const [k, s, d] = [pair(c.k), pair(c.s ?? 1), pair(c.d ?? 1)];
      const [n, h, w, ch] = [2, 7, 6, 3];
      const g: Geometry = {
        k,
        s,
        d,
        rows: windowAxis(h, k[0], s[0], d[0], c.padding),
        cols: windowAxis(w, k[1], s[1], d[1], c.padding),
      };
      const conv = (x: tf.Tensor, kernel: tf.Tensor) =>
        tf.depthwiseConv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, s, c.padding, 'NHWC', d);
      const x = tf.randomUniform([n, h, w, ch], -1, 1, 'float32', 1) as tf.Tensor4D;
      const kernel = tf.randomUniform([k[0], k[1], ch, c.m], -1, 1, 'float32', 2) as tf.Tensor4D;
      const dz = tf.randomUniform([n, g.rows.out, g.cols.out, ch * c.m], -1, 1, 'float32', 3) as tf.Tensor4D;
      const v = tf.randomUniform(x.shape, -1, 1, 'float32', 4);
      const big = tf.randomUniform(kernel.shape, -1, 1, 'float32', 5);
      const dx = depthwiseInputGrad(dz, kernel, g, x.shape);
      const dW = depthwiseKernelGrad(x, dz, g, c.m);
      expect(dx.shape).toEqual(x.shape);
      expect(dW.shape).toEqual(kernel.shape);
      const dot = async (a: tf.Tensor, b: tf.Tensor) => (await tf.sum(tf.mul(a, b)).data())[0] as number;
      expect(await dot(dx, v)).toBeCloseTo(await dot(dz, conv(v, kernel)), 3);
      expect(await dot(dW, big)).toBeCloseTo(await dot(dz, conv(x, big)), 3);
      tf.dispose([x, kernel, dz, v, big, dx, dW]);
    });
  }
});
