import { setSeed, useBackend } from '@brickml/core';
import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { Dense } from '../core/dense.js';
import { Conv2D, type Conv2DConfig } from './conv2d.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

const gradCase = (title: string, config: Omit<Conv2DConfig, 'filters'>) => ({
  title: `(${title})`,
  config: { filters: 3, biasInitializer: bias, ...config },
  inputShape: [5, 5, 2],
});

describeBrick('Conv2D', {
  brick: Conv2D,
  seed: 2,
  cases: [
    gradCase('3x3 valid', { kernelSize: 3 }),
    gradCase('3x3 same with relu', { kernelSize: 3, padding: 'same', activation: 'relu' }),
    gradCase('2x3 stride 2 same', { kernelSize: [2, 3], strides: 2, padding: 'same' }),
    gradCase('3x3 stride [2, 1] valid with tanh', { kernelSize: 3, strides: [2, 1], activation: 'tanh' }),
    {
      ...gradCase('2x2 dilation 2 same', { kernelSize: 2, dilationRate: 2, padding: 'same' }),
      skipAutodiff: { because: 'tfjs has no dilated conv2d gradient' },
    },
    gradCase('1x1 without bias', { kernelSize: 1, useBias: false }),
  ],
  // tfjs' conv2d gradient needs the Conv2DBackpropFilter kernel, which wasm lacks.
  skipAutodiff: { on: ['wasm'], because: 'wasm lacks Conv2DBackpropFilter' },
  spec: [
    {
      filters: 8,
      kernelSize: [3, 5],
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelRegularizer: { className: 'L2', config: { l2: 0.01 } },
    },
  ],
  errors: [
    {
      rejects: 'a kernel larger than the input, naming the shapes',
      config: { name: 'c', filters: 2, kernelSize: 5 },
      build: [4, 6, 1],
      message:
        "Conv2D 'c': kernel [5, 5] is larger than the input [null, 4, 6, 1] with padding 'valid', which leaves an empty output",
    },
    {
      rejects: 'a rank-2 input',
      config: { name: 'c', filters: 2, kernelSize: 3 },
      build: [784],
      message:
        "Conv2D 'c': input must have shape [null, height, width, channels] (rank 4 with the batch), received [null, 784]",
    },
    {
      rejects: 'channels that do not match an existing kernel',
      run: () => {
        const conv = new Conv2D({ name: 'c', filters: 2, kernelSize: 3 });
        conv.params.kernel = tf.variable(tf.zeros([3, 3, 3, 2]));
        try {
          conv.build([8, 8, 1]);
        } finally {
          conv.dispose();
        }
      },
      message: "Conv2D 'c': input has 1 channels but the kernel [3, 3, 3, 2] expects 3",
    },
    {
      rejects: 'strides and dilation both above 1',
      config: { name: 'c', filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 },
      build: [9, 9, 1],
      message:
        "Conv2D 'c': strides and dilationRate cannot both exceed 1, received strides [2, 2] and dilationRate [2, 2]",
    },
    {
      rejects: 'a filters count of 0',
      config: { name: 'c', filters: 0, kernelSize: 3 },
      message: "Conv2D 'c': filters must be a positive integer, received 0",
    },
  ],
});

describe('Conv2D', () => {
  forEachBackend(() => {
    test('a 1x1 convolution is a Dense applied at every pixel', async () => {
      setSeed(3);
      const conv = new Conv2D({ filters: 4, kernelSize: 1, biasInitializer: bias });
      conv.build([3, 3, 2]);
      const dense = new Dense({ units: 4 });
      dense.build([3, 3, 2]);
      dense.params.kernel.assign(tf.reshape(conv.params.kernel, [2, 4]));
      dense.params.bias?.assign(conv.params.bias as tf.Variable);
      const x = tf.randomUniform([2, 3, 3, 2], -1, 1, 'float32', 5);
      const a = conv.forward(x, { training: false }).y;
      const b = dense.forward(x, { training: false }).y;
      expect(a.shape).toEqual([2, 3, 3, 4]);
      const [av, bv] = [await a.data(), await b.data()];
      for (let i = 0; i < av.length; i++) expect(av[i]).toBeCloseTo(bv[i] as number, 5);
      tf.dispose([x, a, b]);
      conv.dispose();
      dense.dispose();
    });
  });

  test('matches tfjs-layers conv2d forward on cpu with copied weights', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 7, 6, 3], -1, 1, 'float32', 6);
    const configs: Omit<Conv2DConfig, 'filters'>[] = [
      { kernelSize: 3, activation: 'relu' },
      { kernelSize: [2, 3], strides: 2, padding: 'same' },
      { kernelSize: 2, dilationRate: 2, padding: 'same', activation: 'tanh' },
    ];
    for (const config of configs) {
      setSeed(4);
      const ours = new Conv2D({ filters: 4, biasInitializer: bias, ...config });
      ours.build([7, 6, 3]);
      const theirs = tfl.layers.conv2d({
        filters: 4,
        kernelSize: config.kernelSize,
        strides: config.strides,
        padding: config.padding,
        dilationRate: config.dilationRate as number | undefined,
        activation: config.activation as 'relu' | 'tanh' | undefined,
      });
      theirs.build([null, 7, 6, 3]);
      theirs.setWeights([ours.params.kernel, ours.params.bias as tf.Variable]);
      const a = ours.forward(x, { training: false }).y;
      const b = theirs.apply(x) as tf.Tensor;
      expect(a.shape).toEqual(b.shape);
      const [av, bv] = [await a.data(), await b.data()];
      for (let i = 0; i < av.length; i++) expect(av[i]).toBeCloseTo(bv[i] as number, 5);
      tf.dispose([a, b]);
      ours.dispose();
    }
    x.dispose();
  });

  test('output shapes follow Keras for valid, same, strides and dilation', () => {
    const out = (c: Omit<Conv2DConfig, 'filters'>, input: number[]) => new Conv2D({ filters: 4, ...c }).build(input);
    expect(out({ kernelSize: 3 }, [28, 28, 1])).toEqual([26, 26, 4]);
    expect(out({ kernelSize: 3, padding: 'same' }, [28, 28, 1])).toEqual([28, 28, 4]);
    expect(out({ kernelSize: 3, strides: 2, padding: 'same' }, [7, 8, 1])).toEqual([4, 4, 4]);
    expect(out({ kernelSize: [3, 1], strides: 2 }, [7, 8, 1])).toEqual([3, 4, 4]);
    expect(out({ kernelSize: 3, dilationRate: 2 }, [7, 9, 1])).toEqual([3, 5, 4]);
  });

  test("accepts a kernel larger than the input with padding 'same'", () => {
    expect(() => new Conv2D({ filters: 2, kernelSize: 5, padding: 'same' }).build([4, 6, 1])).not.toThrow();
  });
});
