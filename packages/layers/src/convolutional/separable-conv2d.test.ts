import { setSeed, useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { Conv2D } from './conv2d.js';
import { SeparableConv2D, type SeparableConv2DConfig } from './separable-conv2d.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

const gradCase = (title: string, config: Omit<SeparableConv2DConfig, 'filters'>, outputShape: number[]) => ({
  title: `(${title})`,
  config: { filters: 3, biasInitializer: bias, ...config },
  inputShape: [5, 5, 2],
  outputShape,
});

describeBrick('SeparableConv2D', {
  brick: SeparableConv2D,
  seed: 2,
  cases: [
    gradCase('3x3 valid', { kernelSize: 3 }, [3, 3, 3]),
    // elu, not relu: with few taps per output some z fall within a finite-difference step of relu's kink.
    gradCase(
      '3x3 same, multiplier 2, with elu',
      { kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'elu' },
      [5, 5, 3],
    ),
    gradCase('2x3 stride 2 same', { kernelSize: [2, 3], strides: 2, padding: 'same' }, [3, 3, 3]),
    gradCase(
      '3x3 stride [2, 1] valid, multiplier 3, with tanh',
      { kernelSize: 3, strides: [2, 1], depthMultiplier: 3, activation: 'tanh' },
      [2, 3, 3],
    ),
    {
      ...gradCase('2x2 dilation 2 same', { kernelSize: 2, dilationRate: 2, padding: 'same' }, [5, 5, 3]),
      skipAutodiff: { because: 'tfjs has no dilated depthwise conv2d gradient' },
    },
    gradCase('1x1 without bias', { kernelSize: 1, useBias: false }, [5, 5, 3]),
  ],
  // tfjs' depthwiseConv2d gradient needs DepthwiseConv2dNativeBackpropInput and ...Filter, which wasm lacks.
  skipAutodiff: { on: ['wasm'], because: 'wasm lacks the DepthwiseConv2dNativeBackprop kernels' },
  spec: [
    {
      filters: 16,
      kernelSize: [3, 5],
      strides: 2,
      padding: 'same',
      depthMultiplier: 2,
      activation: 'relu',
      pointwiseInitializer: 'heUniform',
      depthwiseRegularizer: 'l2',
      pointwiseRegularizer: { className: 'L1L2', config: { l1: 0.01, l2: 0.02 } },
    },
    { filters: 2, kernelSize: 2, useBias: false, activityRegularizer: { className: 'L1', config: { l1: 0.1 } } },
  ],
  errors: [
    {
      rejects: 'a kernel larger than the input, naming the shapes',
      config: { name: 's', filters: 2, kernelSize: 5 },
      build: [4, 6, 1],
      message:
        "SeparableConv2D 's': kernel [5, 5] is larger than the input [null, 4, 6, 1] with padding 'valid', which leaves an empty output",
    },
    {
      rejects: 'a rank-3 input',
      config: { name: 's', filters: 2, kernelSize: 3 },
      build: [8, 8],
      message:
        "SeparableConv2D 's': input must have shape [null, height, width, channels] (rank 4 with the batch), received [null, 8, 8]",
    },
    {
      rejects: 'channels that do not match an existing depthwise kernel',
      run: () => {
        const conv = new SeparableConv2D({ name: 's', filters: 2, kernelSize: 3 });
        conv.params.depthwiseKernel = tf.variable(tf.zeros([3, 3, 3, 1]));
        try {
          conv.build([8, 8, 1]);
        } finally {
          conv.dispose();
        }
      },
      message: "SeparableConv2D 's': input has 1 channels but the depthwise kernel [3, 3, 3, 1] expects 3",
    },
    {
      rejects: 'strides and dilation both above 1',
      config: { name: 's', filters: 2, kernelSize: 3, strides: 2, dilationRate: [1, 2] },
      message:
        "SeparableConv2D 's': strides and dilationRate cannot both exceed 1, received strides [2, 2] and dilationRate [1, 2]",
    },
    {
      rejects: 'a filters count of 0',
      config: { name: 's', filters: 0, kernelSize: 3 },
      message: "SeparableConv2D 's': filters must be a positive integer, received 0",
    },
  ],
});

describe('SeparableConv2D', () => {
  test('matches tfjs-layers separableConv2d forward on cpu with copied weights', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 7, 6, 3], -1, 1, 'float32', 6);
    const configs: Omit<SeparableConv2DConfig, 'filters'>[] = [
      { kernelSize: 3, activation: 'relu' },
      { kernelSize: [2, 3], strides: 2, padding: 'same', depthMultiplier: 2 },
      { kernelSize: 3, strides: [1, 3], depthMultiplier: 3 },
      { kernelSize: 2, dilationRate: 2, padding: 'same', activation: 'tanh' },
      { kernelSize: 3, dilationRate: [2, 1], depthMultiplier: 2 },
    ];
    for (const config of configs) {
      setSeed(4);
      const ours = new SeparableConv2D({ filters: 4, biasInitializer: bias, ...config });
      ours.build([7, 6, 3]);
      const theirs = tfl.layers.separableConv2d({
        filters: 4,
        kernelSize: config.kernelSize,
        strides: config.strides,
        padding: config.padding,
        depthMultiplier: config.depthMultiplier,
        dilationRate: config.dilationRate as number | [number, number] | undefined,
        activation: config.activation as 'relu' | 'tanh' | undefined,
      });
      theirs.build([null, 7, 6, 3]);
      const { depthwiseKernel, pointwiseKernel } = ours.params;
      theirs.setWeights([depthwiseKernel, pointwiseKernel, ours.params.bias as tf.Variable]);
      const a = ours.forward(x, { training: false }).y;
      const b = theirs.apply(x) as tf.Tensor;
      expect(a.shape, JSON.stringify(config)).toEqual(b.shape);
      const [av, bv] = [await a.data(), await b.data()];
      for (let i = 0; i < av.length; i++) expect(av[i], JSON.stringify(config)).toBeCloseTo(bv[i] as number, 5);
      tf.dispose([a, b]);
      ours.dispose();
    }
    x.dispose();
  });

  test('with one input channel it is a Conv2D whose kernel is the depthwise times the pointwise kernel', async () => {
    await useBackend('cpu');
    setSeed(5);
    const sep = new SeparableConv2D({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', biasInitializer: bias });
    sep.build([6, 6, 1]);
    const conv = new Conv2D({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' });
    conv.build([6, 6, 1]);
    const { depthwiseKernel, pointwiseKernel } = sep.params;
    conv.params.kernel.assign(
      tf.reshape(tf.matMul(tf.reshape(depthwiseKernel, [9, 1]), tf.reshape(pointwiseKernel, [1, 3])), [3, 3, 1, 3]),
    );
    conv.params.bias?.assign(sep.params.bias as tf.Variable);
    const x = tf.randomUniform([2, 6, 6, 1], -1, 1, 'float32', 1);
    const [a, b] = [
      await sep.forward(x, { training: false }).y.data(),
      await conv.forward(x, { training: false }).y.data(),
    ];
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] as number, 5);
    x.dispose();
    sep.dispose();
    conv.dispose();
  });

  test('penalizes each weight its config names a regularizer for', () => {
    const sep = new SeparableConv2D({ filters: 2, kernelSize: 3, depthwiseRegularizer: 'l2', biasRegularizer: 'l1' });
    expect(sep.regularizers()).toEqual({});
    sep.build([5, 5, 1]);
    expect(Object.keys(sep.regularizers())).toEqual(['depthwiseKernel', 'bias']);
    sep.dispose();
    const noBias = new SeparableConv2D({
      filters: 2,
      kernelSize: 3,
      pointwiseRegularizer: 'l2',
      biasRegularizer: 'l1',
      useBias: false,
    });
    noBias.build([5, 5, 1]);
    expect(Object.keys(noBias.regularizers())).toEqual(['pointwiseKernel']);
    noBias.dispose();
  });

  test("holds Keras' weights in Keras' order and shapes", () => {
    const sep = new SeparableConv2D({ filters: 8, kernelSize: [3, 5], depthMultiplier: 2 });
    sep.build([10, 10, 4]);
    expect(Object.entries(sep.params).map(([k, v]) => [k, v.shape])).toEqual([
      ['depthwiseKernel', [3, 5, 4, 2]],
      ['pointwiseKernel', [1, 1, 8, 8]],
      ['bias', [8]],
    ]);
    sep.dispose();
  });
});
