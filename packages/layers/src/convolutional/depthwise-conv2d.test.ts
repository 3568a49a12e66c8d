import { setSeed, useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { pair } from './conv-utils.js';
import { DepthwiseConv2D, type DepthwiseConv2DConfig } from './depthwise-conv2d.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

const gradCase = (title: string, config: DepthwiseConv2DConfig, outputShape: number[]) => ({
  title: `(${title})`,
  config: { biasInitializer: bias, ...config },
  inputShape: [5, 5, 2],
  outputShape,
});

describeBrick('DepthwiseConv2D', {
  brick: DepthwiseConv2D,
  seed: 2,
  cases: [
    gradCase('3x3 valid', { kernelSize: 3 }, [3, 3, 2]),
    // elu, not relu: with few taps per output some z fall within a finite-difference step of relu's kink.
    gradCase(
      '3x3 same, multiplier 2, with elu',
      { kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'elu' },
      [5, 5, 4],
    ),
    gradCase('2x3 stride 2 same', { kernelSize: [2, 3], strides: 2, padding: 'same' }, [3, 3, 2]),
    gradCase(
      '3x3 stride [2, 1] valid, multiplier 3, with tanh',
      { kernelSize: 3, strides: [2, 1], depthMultiplier: 3, activation: 'tanh' },
      [2, 3, 6],
    ),
    {
      ...gradCase(
        '2x2 dilation 2 same, multiplier 2',
        { kernelSize: 2, dilationRate: 2, padding: 'same', depthMultiplier: 2 },
        [5, 5, 4],
      ),
      skipAutodiff: { because: 'tfjs has no dilated depthwise conv2d gradient' },
    },
    gradCase('1x1 without bias', { kernelSize: 1, useBias: false }, [5, 5, 2]),
  ],
  // tfjs' depthwiseConv2d gradient needs DepthwiseConv2dNativeBackpropInput and ...Filter, which wasm lacks.
  skipAutodiff: { on: ['wasm'], because: 'wasm lacks the DepthwiseConv2dNativeBackprop kernels' },
  spec: [
    {
      kernelSize: [3, 5],
      strides: 2,
      padding: 'same',
      depthMultiplier: 4,
      activation: 'relu',
      depthwiseInitializer: 'heNormal',
      depthwiseRegularizer: { className: 'L2', config: { l2: 0.01 } },
      biasRegularizer: 'l1',
    },
    { kernelSize: 2, useBias: false, activityRegularizer: { className: 'L1', config: { l1: 0.1 } } },
  ],
  errors: [
    {
      rejects: 'a kernel larger than the input, naming the shapes',
      config: { name: 'd', kernelSize: 5 },
      build: [4, 6, 1],
      message:
        "DepthwiseConv2D 'd': kernel [5, 5] is larger than the input [null, 4, 6, 1] with padding 'valid', which leaves an empty output",
    },
    {
      rejects: 'a rank-2 input',
      config: { name: 'd', kernelSize: 3 },
      build: [784],
      message:
        "DepthwiseConv2D 'd': input must have shape [null, height, width, channels] (rank 4 with the batch), received [null, 784]",
    },
    {
      rejects: 'channels that do not match an existing kernel',
      run: () => {
        const conv = new DepthwiseConv2D({ name: 'd', kernelSize: 3 });
        conv.params.kernel = tf.variable(tf.zeros([3, 3, 3, 1]));
        try {
          conv.build([8, 8, 1]);
        } finally {
          conv.dispose();
        }
      },
      message: "DepthwiseConv2D 'd': input has 1 channels but the kernel [3, 3, 3, 1] expects 3",
    },
    {
      rejects: 'strides and dilation both above 1',
      config: { name: 'd', kernelSize: 3, strides: [1, 2], dilationRate: 2 },
      message:
        "DepthwiseConv2D 'd': strides and dilationRate cannot both exceed 1, received strides [1, 2] and dilationRate [2, 2]",
    },
    {
      rejects: 'a depth multiplier of 0',
      config: { name: 'd', kernelSize: 3, depthMultiplier: 0 },
      message: "DepthwiseConv2D 'd': depthMultiplier must be a positive integer, received 0",
    },
  ],
});

/** W with d−1 zeros between taps: a dilated convolution is the plain convolution by this kernel. */
async function spreadKernel(w: tf.Tensor, [dh, dw]: [number, number]): Promise<tf.Tensor> {
  const [kh, kw, c, m] = w.shape as [number, number, number, number];
  const out = tf.buffer([(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, m]);
  const v = await w.data();
  for (let a = 0; a < kh; a++)
    for (let b = 0; b < kw; b++)
      for (let i = 0; i < c * m; i++)
        out.set(v[((a * kw + b) * c * m + i) as number] as number, a * dh, b * dw, Math.floor(i / m), i % m);
  return out.toTensor();
}

describe('DepthwiseConv2D', () => {
  // tfjs-layers' DepthwiseConv2D ignores dilationRate: dilated cases give it the kernel spread with zeros.
  test('matches tfjs-layers depthwiseConv2d forward on cpu with copied weights', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 7, 6, 3], -1, 1, 'float32', 6);
    const configs: DepthwiseConv2DConfig[] = [
      { kernelSize: 3, activation: 'relu' },
      { kernelSize: [2, 3], strides: 2, padding: 'same', depthMultiplier: 2 },
      { kernelSize: 3, strides: [1, 3], depthMultiplier: 3 },
      { kernelSize: 2, dilationRate: 2, padding: 'same', activation: 'tanh' },
      { kernelSize: 3, dilationRate: [2, 1], depthMultiplier: 2 },
    ];
    for (const config of configs) {
      setSeed(4);
      const ours = new DepthwiseConv2D({ biasInitializer: bias, ...config });
      ours.build([7, 6, 3]);
      const d = pair(config.dilationRate ?? 1);
      const kernel = await spreadKernel(ours.params.kernel, d);
      const theirs = tfl.layers.depthwiseConv2d({
        kernelSize: [kernel.shape[0] as number, kernel.shape[1] as number],
        strides: config.strides,
        padding: config.padding,
        depthMultiplier: config.depthMultiplier,
        activation: config.activation as 'relu' | 'tanh' | undefined,
      });
      theirs.build([null, 7, 6, 3]);
      theirs.setWeights([kernel, ours.params.bias as tf.Variable]);
      const a = ours.forward(x, { training: false }).y;
      const b = theirs.apply(x) as tf.Tensor;
      expect(a.shape, JSON.stringify(config)).toEqual(b.shape);
      const [av, bv] = [await a.data(), await b.data()];
      for (let i = 0; i < av.length; i++) expect(av[i], JSON.stringify(config)).toBeCloseTo(bv[i] as number, 5);
      tf.dispose([a, b, kernel]);
      ours.dispose();
    }
    x.dispose();
  });

  test('mixes no channels: output channel c·M+m reads input channel c alone', async () => {
    await useBackend('cpu');
    const conv = new DepthwiseConv2D({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false });
    conv.build([4, 4, 3]);
    const x = tf.randomUniform([1, 4, 4, 3], -1, 1, 'float32', 1);
    const onlyFirst = tf.mul(x, tf.tensor1d([1, 0, 0]));
    const y = await conv.forward(onlyFirst, { training: false }).y.data();
    for (let i = 0; i < y.length; i++) if (i % 6 >= 2) expect(y[i]).toBe(0);
    tf.dispose([x, onlyFirst]);
    conv.dispose();
  });

  test('penalizes the kernel with depthwiseRegularizer', () => {
    const conv = new DepthwiseConv2D({ kernelSize: 3, depthwiseRegularizer: { className: 'L2', config: { l2: 0.3 } } });
    conv.build([5, 5, 2]);
    expect(Object.keys(conv.regularizers())).toEqual(['kernel']);
    expect(conv.regularizers().kernel?.l2).toBe(0.3);
    conv.dispose();
  });

  test('output shapes follow Keras: channels times the depth multiplier', () => {
    const out = (c: DepthwiseConv2DConfig, input: number[]) => new DepthwiseConv2D(c).build(input);
    expect(out({ kernelSize: 3 }, [28, 28, 8])).toEqual([26, 26, 8]);
    expect(out({ kernelSize: 3, padding: 'same', depthMultiplier: 4 }, [28, 28, 8])).toEqual([28, 28, 32]);
    expect(out({ kernelSize: 3, strides: 2, padding: 'same' }, [7, 8, 1])).toEqual([4, 4, 1]);
    expect(out({ kernelSize: 3, dilationRate: 2 }, [7, 9, 1])).toEqual([3, 5, 1]);
  });
});
