import { setSeed, useBackend } from '@brickml/core';
import { describeBrick, forEachBackend, TEST_BACKENDS } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { ActivationName, activate, activationGrad } from '../activations/functions.js';
import { Dense } from '../core/dense.js';
import { Conv2D, type Conv2DConfig } from './conv2d.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

const gradCase = (title: string, config: Omit<Conv2DConfig, 'filters'> & { filters?: number }) => ({
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
    {
      ...gradCase('3x3 valid with glu, which halves the filters', { filters: 4, kernelSize: 3, activation: 'glu' }),
      outputShape: [3, 3, 2],
    },
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
    {
      filters: 2,
      kernelSize: 3,
      activation: 'soft_shrink',
      activityRegularizer: { className: 'L1', config: { l1: 0.1 } },
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
    {
      rejects: 'glu on an odd number of filters',
      config: { name: 'c', filters: 3, kernelSize: 3, activation: 'glu' },
      build: [5, 5, 1],
      message:
        "Conv2D 'c': activation 'glu' splits the last axis in two halves, so it must be even, received [null, 3, 3, 3]",
    },
  ],
});

/** Largest |a - b| / max(|a|, |b|, 1e-3) over two tensors' entries. */
async function relError(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [av, bv] = [await a.data(), await b.data()];
  let worst = 0;
  av.forEach((v, i) => {
    const w = bv[i] as number;
    worst = Math.max(worst, Math.abs(v - w) / Math.max(Math.abs(v), Math.abs(w), 1e-3));
  });
  return worst;
}

describe('Conv2D', () => {
  test('takes every activation by name, camelCase or snake_case', async () => {
    const x = tf.randomUniform([2, 4, 4, 2], -1, 1, 'float32', 4);
    for (const activation of ActivationName.options) {
      setSeed(6);
      const conv = new Conv2D({ filters: 4, kernelSize: 2, activation, biasInitializer: bias });
      const { y, cache } = conv.forward(x, { training: false });
      const z = tf.add(
        tf.conv2d(x as tf.Tensor4D, conv.params.kernel as tf.Tensor4D, 1, 'valid'),
        conv.params.bias as tf.Variable,
      );
      const want = activate(activation, z);
      expect(y.shape, activation).toEqual([2, 3, 3, activation === 'glu' ? 2 : 4]);
      expect(await relError(y, want), activation).toBeLessThan(1e-5);
      const back = conv.backward(tf.onesLike(y), cache);
      expect(back.dx.shape).toEqual([2, 4, 4, 2]);
      tf.dispose([y, z, want, cache.z, back.dx, ...Object.values(back.grads)]);
      conv.dispose();
    }
    x.dispose();
  });

  test('an activity regularizer adds reg(y) / batch as the penalty, as Keras 3', async () => {
    setSeed(7);
    const conv = new Conv2D({ filters: 2, kernelSize: 3, activation: 'relu', activityRegularizer: 'l1_l2' });
    const x = tf.randomUniform([3, 5, 5, 1], -1, 1, 'float32', 8);
    const { y, penalty } = conv.forward(x, { training: false });
    const want = Array.from(await y.data()).reduce((s, v) => s + 0.01 * Math.abs(v) + 0.01 * v * v, 0) / 3;
    expect((await (penalty as tf.Scalar).data())[0]).toBeCloseTo(want, 5);
    tf.dispose([x, y, penalty as tf.Scalar]);
    conv.dispose();
  });

  // tfjs autodiff of conv2d needs Conv2DBackpropFilter, which wasm lacks.
  forEachBackend(
    () => {
      test("backward adds the activity penalty's gradient, the loss-fused path too (L2 with sigmoid)", async () => {
        setSeed(5);
        const conv = new Conv2D({
          filters: 2,
          kernelSize: 2,
          activation: 'sigmoid',
          biasInitializer: bias,
          activityRegularizer: { className: 'L1L2', config: { l1: 0.2, l2: 0.3 } },
        });
        const x = tf.variable(tf.randomUniform([2, 4, 4, 1], -1, 1, 'float32', 6), true);
        conv.build([4, 4, 1]);
        const r = tf.randomUniform([2, 3, 3, 2], -1, 1, 'float32', 7);
        const { kernel, bias: b } = conv.params as { kernel: tf.Variable; bias: tf.Variable };
        // L = Σ y·r + P(y): the harness's gradient checks leave the penalty out.
        const auto = tf.variableGrads(() => {
          const out = conv.forward(x, { training: true });
          return tf.add(tf.sum(tf.mul(out.y, r)), out.penalty as tf.Scalar) as tf.Scalar;
        }, [x, kernel, b]);
        const { cache } = conv.forward(x, { training: true });
        const dz = activationGrad('sigmoid', r, cache.z, cache.y);
        for (const got of [conv.backward(r, cache), conv.backwardFromPreActivation(dz, cache)]) {
          expect(await relError(got.dx, auto.grads[x.name] as tf.Tensor), 'dx').toBeLessThan(1e-3);
          expect(await relError(got.grads.kernel, auto.grads[kernel.name] as tf.Tensor), 'dW').toBeLessThan(1e-3);
          expect(await relError(got.grads.bias as tf.Tensor, auto.grads[b.name] as tf.Tensor), 'db').toBeLessThan(1e-3);
          tf.dispose([got.dx, ...Object.values(got.grads)]);
        }
        tf.dispose([x, r, dz, auto.value, ...Object.values(auto.grads), cache.z, cache.y]);
        conv.dispose();
      });
    },
    TEST_BACKENDS.filter((backend) => backend !== 'wasm'),
  );

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

    test('paramGrads equals the grads of backward', async () => {
      setSeed(2);
      const conv = new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu', biasInitializer: bias });
      const x = tf.randomUniform([2, 6, 5, 2], -1, 1, 'float32', 6);
      const { y, cache } = conv.forward(x, { training: true });
      const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 7);
      const full = conv.backward(dy, cache);
      const only = conv.paramGrads(dy, cache);
      expect(await only.kernel.data()).toEqual(await full.grads.kernel.data());
      expect(await only.bias?.data()).toEqual(await full.grads.bias?.data());
      tf.dispose([x, y, dy, full.dx, full.grads.kernel, full.grads.bias ?? [], only.kernel, only.bias ?? []]);
      tf.dispose(Object.values(cache));
      conv.dispose();
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
