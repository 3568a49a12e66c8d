import { setSeed, useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { Conv1D, type Conv1DConfig } from './conv1d.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

const gradCase = (title: string, config: Omit<Conv1DConfig, 'filters'>, outputShape: number[]) => ({
  title: `(${title})`,
  config: { filters: 3, biasInitializer: bias, ...config },
  inputShape: [7, 2],
  outputShape,
});

const dilated = { skipAutodiff: { because: 'tfjs has no dilated conv2d gradient' } };

describeBrick('Conv1D', {
  brick: Conv1D,
  seed: 2,
  cases: [
    gradCase('3 valid', { kernelSize: 3 }, [5, 3]),
    gradCase('3 same with relu', { kernelSize: 3, padding: 'same', activation: 'relu' }, [7, 3]),
    gradCase('2 stride 2 same', { kernelSize: 2, strides: 2, padding: 'same' }, [4, 3]),
    gradCase(
      '3 stride 2 causal with tanh',
      { kernelSize: 3, strides: 2, padding: 'causal', activation: 'tanh' },
      [4, 3],
    ),
    { ...gradCase('2 dilation 2 causal', { kernelSize: 2, dilationRate: 2, padding: 'causal' }, [7, 3]), ...dilated },
    { ...gradCase('3 dilation 2 same', { kernelSize: [3], dilationRate: [2], padding: 'same' }, [7, 3]), ...dilated },
    gradCase('1 without bias', { kernelSize: 1, useBias: false }, [7, 3]),
  ],
  // tfjs' conv2d gradient needs the Conv2DBackpropFilter kernel, which wasm lacks.
  skipAutodiff: { on: ['wasm'], because: 'wasm lacks Conv2DBackpropFilter' },
  spec: [
    {
      filters: 8,
      kernelSize: 5,
      strides: 2,
      padding: 'causal',
      activation: 'relu',
      kernelRegularizer: { className: 'L2', config: { l2: 0.01 } },
    },
    {
      filters: 2,
      kernelSize: [3],
      dilationRate: [2],
      useBias: false,
      activityRegularizer: { className: 'L1', config: { l1: 0.1 } },
    },
  ],
  errors: [
    {
      rejects: 'a kernel longer than the input, naming the shapes',
      config: { name: 'c', filters: 2, kernelSize: 5 },
      build: [4, 1],
      message:
        "Conv1D 'c': kernel 5 is longer than the input [null, 4, 1] with padding 'valid', which leaves an empty output",
    },
    {
      rejects: 'a rank-4 input',
      config: { name: 'c', filters: 2, kernelSize: 3 },
      build: [8, 8, 1],
      message:
        "Conv1D 'c': input must have shape [null, steps, channels] (rank 3 with the batch, channels fixed), received [null, 8, 8, 1]",
    },
    {
      rejects: 'channels that do not match an existing kernel',
      run: () => {
        const conv = new Conv1D({ name: 'c', filters: 2, kernelSize: 3 });
        conv.params.kernel = tf.variable(tf.zeros([3, 3, 2]));
        try {
          conv.build([8, 1]);
        } finally {
          conv.dispose();
        }
      },
      message: "Conv1D 'c': input has 1 channels but the kernel [3, 3, 2] expects 3",
    },
    {
      rejects: 'strides and dilation both above 1',
      config: { name: 'c', filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 },
      message: "Conv1D 'c': strides and dilationRate cannot both exceed 1, received strides 2 and dilationRate 2",
    },
    {
      rejects: 'a padding Keras does not know',
      config: { name: 'c', filters: 2, kernelSize: 3, padding: 'full' as 'same' },
      message: /^Conv1D 'c': padding .*"valid"\|"same"\|"causal".*, received "full"$/,
    },
    {
      rejects: 'a filters count of 0',
      config: { name: 'c', filters: 0, kernelSize: 3 },
      message: "Conv1D 'c': filters must be a positive integer, received 0",
    },
  ],
});

describe('Conv1D', () => {
  // tfjs-layers has no causal conv1d: it runs 'valid' on the input padded as Keras 3's Conv1D pads it.
  test('matches tfjs-layers conv1d forward on cpu with copied weights', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 9, 3], -1, 1, 'float32', 6);
    const configs: Omit<Conv1DConfig, 'filters'>[] = [
      { kernelSize: 3, activation: 'relu' },
      { kernelSize: 2, strides: 2, padding: 'same' },
      { kernelSize: 4, strides: 3 },
      { kernelSize: 3, padding: 'causal', activation: 'tanh' },
      { kernelSize: 2, dilationRate: 3, padding: 'causal' },
      { kernelSize: 3, dilationRate: 2, padding: 'same' },
    ];
    for (const config of configs) {
      setSeed(4);
      const ours = new Conv1D({ filters: 4, biasInitializer: bias, ...config });
      ours.build([9, 3]);
      const causal = config.padding === 'causal' ? (config.kernelSize as number) - 1 : 0;
      const left = causal * ((config.dilationRate as number | undefined) ?? 1);
      const theirs = tfl.layers.conv1d({
        filters: 4,
        kernelSize: config.kernelSize as number,
        strides: config.strides as number | undefined,
        padding: causal ? 'valid' : config.padding,
        dilationRate: config.dilationRate as number | undefined,
        activation: config.activation as 'relu' | 'tanh' | undefined,
      });
      theirs.build([null, 9 + left, 3]);
      theirs.setWeights([ours.params.kernel, ours.params.bias as tf.Variable]);
      const a = ours.forward(x, { training: false }).y;
      const padded = tf.pad(x, [
        [0, 0],
        [left, 0],
        [0, 0],
      ]);
      const b = theirs.apply(padded) as tf.Tensor;
      expect(a.shape, JSON.stringify(config)).toEqual(b.shape);
      const [av, bv] = [await a.data(), await b.data()];
      for (let i = 0; i < av.length; i++) expect(av[i]).toBeCloseTo(bv[i] as number, 5);
      tf.dispose([a, b, padded]);
      ours.dispose();
    }
    x.dispose();
  });

  test("with padding 'causal' an output step never sees a later input step", async () => {
    await useBackend('cpu');
    const conv = new Conv1D({ filters: 2, kernelSize: 3, dilationRate: 2, padding: 'causal', biasInitializer: bias });
    const x = tf.randomUniform([1, 10, 2], -1, 1, 'float32', 1);
    const later = tf.concat([tf.slice(x, [0, 0, 0], [1, 6, 2]), tf.randomUniform([1, 4, 2], -1, 1, 'float32', 2)], 1);
    const [a, b] = [conv.forward(x, { training: false }).y, conv.forward(later, { training: false }).y];
    expect(a.shape).toEqual([1, 10, 2]);
    const [av, bv] = [await a.data(), await b.data()];
    for (let i = 0; i < 6 * 2; i++) expect(av[i]).toBeCloseTo(bv[i] as number, 6);
    expect(Math.abs((av[7 * 2] as number) - (bv[7 * 2] as number))).toBeGreaterThan(1e-4);
    tf.dispose([x, later, a, b]);
    conv.dispose();
  });

  test('takes a free steps axis and sizes the output per batch', async () => {
    await useBackend('cpu');
    const conv = new Conv1D({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' });
    expect(conv.build([null, 4])).toEqual([null, 2]);
    for (const steps of [5, 8]) {
      const x = tf.ones([2, steps, 4]);
      const { y, cache } = conv.forward(x, { training: false });
      expect(y.shape).toEqual([2, Math.ceil(steps / 2), 2]);
      const { dx } = conv.backward(tf.onesLike(y), cache);
      expect(dx.shape).toEqual([2, steps, 4]);
      tf.dispose([x, y, dx, cache.x, cache.z]);
    }
    conv.dispose();
  });

  test('output shapes follow Keras for valid, same, causal, strides and dilation', () => {
    const out = (c: Omit<Conv1DConfig, 'filters'>, input: number[]) => new Conv1D({ filters: 4, ...c }).build(input);
    expect(out({ kernelSize: 3 }, [28, 1])).toEqual([26, 4]);
    expect(out({ kernelSize: 3, padding: 'same' }, [28, 1])).toEqual([28, 4]);
    expect(out({ kernelSize: 3, padding: 'causal' }, [28, 1])).toEqual([28, 4]);
    expect(out({ kernelSize: 3, strides: 2, padding: 'causal' }, [7, 1])).toEqual([4, 4]);
    expect(out({ kernelSize: 3, strides: 2 }, [8, 1])).toEqual([3, 4]);
    expect(out({ kernelSize: 3, dilationRate: 2 }, [9, 1])).toEqual([5, 4]);
  });
});
