import { BrickError, setSeed, useBackend } from '@brickml/core';
import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { Dense } from '../core/dense.js';
import { Conv2D, type Conv2DConfig } from './conv2d.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

describe('Conv2D', () => {
  forEachBackend((backend) => {
    const cases: [string, Omit<Conv2DConfig, 'filters'>][] = [
      ['3x3 valid', { kernelSize: 3 }],
      ['3x3 same with relu', { kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['2x3 stride 2 same', { kernelSize: [2, 3], strides: 2, padding: 'same' }],
      ['3x3 stride [2, 1] valid with tanh', { kernelSize: 3, strides: [2, 1], activation: 'tanh' }],
      ['2x2 dilation 2 same', { kernelSize: 2, dilationRate: 2, padding: 'same' }],
      ['1x1 without bias', { kernelSize: 1, useBias: false }],
    ];
    for (const [what, config] of cases) {
      test(`backward (${what}) matches autodiff and finite differences`, async () => {
        setSeed(2);
        const conv = new Conv2D({ filters: 3, biasInitializer: bias, ...config });
        // tfjs autodiff has no dilated conv2d gradient, and on wasm needs the Conv2DBackpropFilter kernel
        // wasm lacks: finite differences alone check those cases.
        if (!config.dilationRate && backend !== 'wasm') await expectBackwardMatchesAutodiff(conv, [5, 5, 2]);
        await expectFiniteDifferences(conv, [5, 5, 2]);
        conv.dispose();
      });
    }

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

  test('leaks no tensor through forward and backward', async () => {
    const conv = new Conv2D({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' });
    const x = tf.ones([2, 5, 5, 2]);
    const dy = tf.ones([2, 3, 3, 3]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        conv.backward(dy, conv.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
    conv.dispose();
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(
      new Conv2D({
        filters: 8,
        kernelSize: [3, 5],
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelRegularizer: { className: 'L2', config: { l2: 0.01 } },
      }),
    );
  });

  test('rejects a kernel larger than the input naming the shapes', () => {
    expect(() => new Conv2D({ name: 'c', filters: 2, kernelSize: 5 }).build([4, 6, 1])).toThrow(
      "Conv2D 'c': kernel [5, 5] is larger than the input [null, 4, 6, 1] with padding 'valid', which leaves an empty output",
    );
    expect(() => new Conv2D({ filters: 2, kernelSize: 5, padding: 'same' }).build([4, 6, 1])).not.toThrow();
  });

  test('rejects a rank-2 input', () => {
    expect(() => new Conv2D({ name: 'c', filters: 2, kernelSize: 3 }).build([784])).toThrow(
      "Conv2D 'c': input must have shape [null, height, width, channels] (rank 4 with the batch), received [null, 784]",
    );
  });

  test('rejects channels that do not match an existing kernel', () => {
    const conv = new Conv2D({ name: 'c', filters: 2, kernelSize: 3 });
    conv.params.kernel = tf.variable(tf.zeros([3, 3, 3, 2]));
    expect(() => conv.build([8, 8, 1])).toThrow(
      "Conv2D 'c': input has 1 channels but the kernel [3, 3, 3, 2] expects 3",
    );
    conv.dispose();
  });

  test('rejects strides and dilation both above 1, and a bad filters count', () => {
    expect(() =>
      new Conv2D({ name: 'c', filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 }).build([9, 9, 1]),
    ).toThrowError(BrickError);
    expect(() => new Conv2D({ name: 'c', filters: 0, kernelSize: 3 })).toThrow(
      "Conv2D 'c': filters must be a positive integer, received 0",
    );
  });
});
