import { setSeed, useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { pair } from './conv-utils.js';
import { Conv2D } from './conv2d.js';
import { Conv2DTranspose, type Conv2DTransposeConfig } from './conv2d-transpose.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

const gradCase = (title: string, config: Omit<Conv2DTransposeConfig, 'filters'>, outputShape: number[]) => ({
  title: `(${title})`,
  config: { filters: 3, biasInitializer: bias, ...config },
  inputShape: [3, 3, 2],
  outputShape,
});

describeBrick('Conv2DTranspose', {
  brick: Conv2DTranspose,
  seed: 2,
  cases: [
    gradCase('3x3 valid', { kernelSize: 3 }, [5, 5, 3]),
    gradCase(
      '3x3 stride 2 same with elu',
      { kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' },
      [6, 6, 3],
    ),
    gradCase(
      '[2, 3] stride [2, 1] valid with tanh',
      { kernelSize: [2, 3], strides: [2, 1], activation: 'tanh' },
      [6, 5, 3],
    ),
    gradCase(
      '3x3 stride 2 same, outputPadding 0',
      { kernelSize: 3, strides: 2, padding: 'same', outputPadding: 0 },
      [5, 5, 3],
    ),
    gradCase('2x2 stride 3 valid (output rows no input reaches)', { kernelSize: 2, strides: 3 }, [9, 9, 3]),
    gradCase(
      '4x4 stride 2 same, outputPadding [1, 0]',
      { kernelSize: 4, strides: 2, padding: 'same', outputPadding: [1, 0] },
      [5, 4, 3],
    ),
    {
      ...gradCase('2x2 dilation 2 same', { kernelSize: 2, dilationRate: 2, padding: 'same' }, [3, 3, 3]),
      skipAutodiff: { because: 'tfjs has no dilated conv2d gradient' },
    },
    gradCase('1x1 without bias', { kernelSize: 1, useBias: false }, [3, 3, 3]),
  ],
  // The forward pass is a conv2d, whose tfjs gradient needs Conv2DBackpropFilter, which wasm lacks.
  skipAutodiff: { on: ['wasm'], because: 'wasm lacks Conv2DBackpropFilter' },
  spec: [
    {
      filters: 8,
      kernelSize: [3, 5],
      strides: 2,
      padding: 'same',
      outputPadding: [1, 0],
      activation: 'relu',
      kernelRegularizer: { className: 'L2', config: { l2: 0.01 } },
    },
    {
      filters: 2,
      kernelSize: 2,
      dilationRate: [2, 1],
      useBias: false,
      activityRegularizer: { className: 'L1', config: { l1: 0.1 } },
    },
  ],
  errors: [
    {
      rejects: 'an outputPadding not below strides',
      config: { name: 't', filters: 2, kernelSize: 3, strides: [2, 3], outputPadding: [1, 3] },
      message:
        "Conv2DTranspose 't': outputPadding must be less than strides on each axis, received outputPadding [1, 3] and strides [2, 3]",
    },
    {
      rejects: 'strides and dilation both above 1',
      config: { name: 't', filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 },
      message:
        "Conv2DTranspose 't': strides and dilationRate cannot both exceed 1, received strides [2, 2] and dilationRate [2, 2]",
    },
    {
      rejects: 'sizes that leave an empty output',
      config: { name: 't', filters: 2, kernelSize: 2, strides: 2, padding: 'same', outputPadding: 0 },
      build: [1, 4, 1],
      message:
        "Conv2DTranspose 't': input [null, 1, 4, 1] with padding 'same' and outputPadding [0, 0] gives an empty output",
    },
    {
      rejects: 'a rank-2 input',
      config: { name: 't', filters: 2, kernelSize: 3 },
      build: [784],
      message:
        "Conv2DTranspose 't': input must have shape [null, height, width, channels] (rank 4 with the batch), received [null, 784]",
    },
    {
      rejects: 'channels that do not match an existing kernel',
      run: () => {
        const conv = new Conv2DTranspose({ name: 't', filters: 2, kernelSize: 3 });
        conv.params.kernel = tf.variable(tf.zeros([3, 3, 2, 3]));
        try {
          conv.build([8, 8, 1]);
        } finally {
          conv.dispose();
        }
      },
      message: "Conv2DTranspose 't': input has 1 channels but the kernel [3, 3, 2, 3] expects 3",
    },
    {
      rejects: 'a negative outputPadding',
      config: { name: 't', filters: 2, kernelSize: 3, strides: 2, outputPadding: -1 },
      message: /^Conv2DTranspose 't': outputPadding .*, received -1$/,
    },
  ],
});

/**
 * Keras 3's definition written out on the CPU (its JAX backend): spread x by the strides, pad it by
 * Keras' (left, right), correlate with the flipped kernel at the dilation. Sizes from Keras' formulas.
 */
async function kerasConvTranspose(x: tf.Tensor, kernel: tf.Tensor, b: tf.Tensor, c: Conv2DTransposeConfig) {
  const [k, s, d] = [pair(c.kernelSize), pair(c.strides ?? 1), pair(c.dilationRate ?? 1)];
  const op = c.outputPadding === undefined ? undefined : pair(c.outputPadding);
  const [n, h, w, ch] = x.shape as number[] as [number, number, number, number];
  const axis = (i: 0 | 1, len: number) => {
    const kEff = (k[i] - 1) * d[i] + 1;
    const o = op?.[i];
    let left: number;
    let right: number;
    let size: number;
    if ((c.padding ?? 'valid') === 'valid') {
      const p = o ?? Math.max(kEff, s[i]) - kEff;
      [left, right, size] = [kEff - 1, kEff - 1 + p, (len - 1) * s[i] + kEff + p];
    } else {
      const padLen = o === undefined ? s[i] + kEff - 2 : kEff + (kEff % 2) - 2 + o;
      left = Math.min(Math.floor(padLen / 2) + (padLen % 2), kEff - 1);
      right = padLen - left;
      size = o === undefined ? len * s[i] : (len - 1) * s[i] + (kEff % 2) + o;
    }
    expect((len - 1) * s[i] + 1 + left + right - kEff + 1).toBe(size);
    return { left, size };
  };
  const [rows, cols] = [axis(0, h), axis(1, w)];
  const f = c.filters;
  const [xv, kv, bv] = [await x.data(), await kernel.data(), await b.data()];
  const y = new Float32Array(n * rows.size * cols.size * f);
  for (let e = 0; e < n; e++)
    for (let p = 0; p < rows.size; p++)
      for (let q = 0; q < cols.size; q++)
        for (let o = 0; o < f; o++) {
          let sum = bv[o] as number;
          for (let a = 0; a < k[0]; a++)
            for (let bb = 0; bb < k[1]; bb++) {
              // Position in the spread, padded input read by tap (a, bb) of the flipped kernel.
              const [u, v] = [p + a * d[0] - rows.left, q + bb * d[1] - cols.left];
              if (u < 0 || v < 0 || u % s[0] !== 0 || v % s[1] !== 0) continue;
              const [i, j] = [u / s[0], v / s[1]];
              if (i >= h || j >= w) continue;
              const [fa, fb] = [k[0] - 1 - a, k[1] - 1 - bb];
              for (let cc = 0; cc < ch; cc++) {
                sum +=
                  (xv[((e * h + i) * w + j) * ch + cc] as number) *
                  (kv[((fa * k[1] + fb) * f + o) * ch + cc] as number);
              }
            }
          y[((e * rows.size + p) * cols.size + q) * f + o] = sum;
        }
  return tf.tensor4d(y, [n, rows.size, cols.size, f]);
}

async function expectClose(a: tf.Tensor, b: tf.Tensor, what: string) {
  expect(a.shape, what).toEqual(b.shape);
  const [av, bv] = [await a.data(), await b.data()];
  for (let i = 0; i < av.length; i++) expect(av[i], what).toBeCloseTo(bv[i] as number, 5);
}

describe('Conv2DTranspose', () => {
  test('matches tfjs-layers conv2dTranspose forward on cpu with copied weights', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 4, 5, 3], -1, 1, 'float32', 6);
    const configs: Omit<Conv2DTransposeConfig, 'filters'>[] = [
      { kernelSize: 3, activation: 'relu' },
      { kernelSize: 3, strides: 2, padding: 'same' },
      { kernelSize: [2, 3], strides: 2, activation: 'tanh' },
      { kernelSize: 4, strides: 2, padding: 'same' },
      { kernelSize: 2, strides: 3 },
      { kernelSize: [3, 2], strides: [1, 2], padding: 'same' },
    ];
    for (const config of configs) {
      setSeed(4);
      const ours = new Conv2DTranspose({ filters: 4, biasInitializer: bias, ...config });
      ours.build([4, 5, 3]);
      const theirs = tfl.layers.conv2dTranspose({
        filters: 4,
        kernelSize: config.kernelSize,
        strides: config.strides,
        padding: config.padding,
        activation: config.activation as 'relu' | 'tanh' | undefined,
      });
      theirs.build([null, 4, 5, 3]);
      theirs.setWeights([ours.params.kernel, ours.params.bias as tf.Variable]);
      const a = ours.forward(x, { training: false }).y;
      const b = theirs.apply(x) as tf.Tensor;
      await expectClose(a, b, JSON.stringify(config));
      tf.dispose([a, b]);
      ours.dispose();
    }
    x.dispose();
  });

  // tfjs-layers has neither outputPadding nor dilation here: Keras 3's own definition is the reference.
  test("matches Keras 3's definition with outputPadding and dilation", async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 4, 3, 2], -1, 1, 'float32', 7);
    const configs: Omit<Conv2DTransposeConfig, 'filters'>[] = [
      { kernelSize: 3, strides: 2, outputPadding: 1 },
      { kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 },
      { kernelSize: 4, strides: 2, padding: 'same', outputPadding: 0 },
      { kernelSize: [3, 2], strides: 3, padding: 'same', outputPadding: [2, 1] },
      { kernelSize: 2, strides: [3, 2], outputPadding: [0, 1] },
      { kernelSize: 3, dilationRate: 2, padding: 'same' },
      { kernelSize: 2, dilationRate: [2, 3] },
      { kernelSize: [2, 3], dilationRate: 2, padding: 'same', outputPadding: 0 },
      { kernelSize: 3, strides: 2, padding: 'same' },
      { kernelSize: 2, strides: 3 },
    ];
    for (const config of configs) {
      setSeed(8);
      const full = { filters: 3, biasInitializer: bias, ...config };
      const ours = new Conv2DTranspose(full);
      ours.build([4, 3, 2]);
      const a = ours.forward(x, { training: false }).y;
      const b = await kerasConvTranspose(x, ours.params.kernel, ours.params.bias as tf.Variable, full);
      await expectClose(a, b, JSON.stringify(config));
      tf.dispose([a, b]);
      ours.dispose();
    }
    x.dispose();
  });

  test('is the adjoint of the Conv2D with the same kernel, strides and padding', async () => {
    await useBackend('cpu');
    const conv = new Conv2D({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
    conv.build([6, 6, 3]);
    const up = new Conv2DTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
    expect(up.build([3, 3, 2])).toEqual([6, 6, 3]);
    up.params.kernel.assign(conv.params.kernel);
    const v = tf.randomUniform([1, 6, 6, 3], -1, 1, 'float32', 1);
    const u = tf.randomUniform([1, 3, 3, 2], -1, 1, 'float32', 2);
    const lhs = await tf.sum(tf.mul(conv.forward(v, { training: false }).y, u)).data();
    const rhs = await tf.sum(tf.mul(v, up.forward(u, { training: false }).y)).data();
    expect(lhs[0]).toBeCloseTo(rhs[0] as number, 4);
    tf.dispose([u, v]);
    conv.dispose();
    up.dispose();
  });

  test('output shapes follow Keras for valid, same, strides, outputPadding and dilation', () => {
    const out = (c: Omit<Conv2DTransposeConfig, 'filters'>, input: number[]) =>
      new Conv2DTranspose({ filters: 4, ...c }).build(input);
    expect(out({ kernelSize: 3 }, [7, 7, 1])).toEqual([9, 9, 4]);
    expect(out({ kernelSize: 3, strides: 2, padding: 'same' }, [7, 8, 1])).toEqual([14, 16, 4]);
    expect(out({ kernelSize: 3, strides: 2 }, [7, 8, 1])).toEqual([15, 17, 4]);
    expect(out({ kernelSize: 2, strides: 3 }, [7, 8, 1])).toEqual([21, 24, 4]);
    expect(out({ kernelSize: 3, strides: 2, outputPadding: 0 }, [7, 8, 1])).toEqual([15, 17, 4]);
    expect(out({ kernelSize: 3, strides: 2, padding: 'same', outputPadding: 0 }, [7, 8, 1])).toEqual([13, 15, 4]);
    expect(out({ kernelSize: 4, strides: 2, padding: 'same', outputPadding: 1 }, [7, 8, 1])).toEqual([13, 15, 4]);
    expect(out({ kernelSize: 3, dilationRate: 2 }, [7, 8, 1])).toEqual([11, 12, 4]);
  });
});
