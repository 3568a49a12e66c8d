import { type Shape, setSeed, useBackend } from '@brickml/core';
import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import { Conv2D } from '../convolutional/conv2d.js';
import { Dense } from '../core/dense.js';
import { BatchNormalization } from '../normalization/batch-normalization.js';
import { input } from '../symbolic.js';
import { TimeDistributed } from './time-distributed.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;
const dense = (config: Record<string, unknown>) => ({
  className: 'Dense',
  config: { biasInitializer: bias, ...config },
});

describeBrick('TimeDistributed', {
  brick: TimeDistributed,
  seed: 3,
  cases: [
    {
      title: '(Dense with tanh)',
      config: { layer: dense({ units: 2, activation: 'tanh' }) },
      inputShape: [3, 4],
      outputShape: [3, 2],
    },
    {
      title: '(Dense over sequences of any length)',
      config: { layer: dense({ units: 3 }) },
      inputShape: [null, 2],
      outputShape: [null, 3],
    },
    {
      title: '(Conv2D on [time, height, width, channels])',
      config: { layer: { className: 'Conv2D', config: { filters: 2, kernelSize: 2, biasInitializer: bias } } },
      inputShape: [2, 4, 4, 1],
      outputShape: [2, 3, 3, 2],
      skipAutodiff: { on: ['wasm'], because: 'wasm lacks Conv2DBackpropFilter' },
    },
    {
      title: '(BatchNormalization in training, over the batch and time steps together)',
      config: { layer: { className: 'BatchNormalization', config: { betaInitializer: bias } } },
      training: true,
      batchSize: 3,
      inputShape: [2, 3],
      outputShape: [2, 3],
    },
    {
      title: '(Flatten, no weights)',
      config: { layer: { className: 'Flatten', config: {} } },
      inputShape: [2, 2, 3],
      outputShape: [2, 6],
    },
  ],
  spec: [
    { layer: { className: 'Dense', config: { units: 8, activation: 'relu' } } },
    { name: 'per_step', layer: { className: 'Conv2D', config: { name: 'conv', filters: 4, kernelSize: 3 } } },
  ],
  errors: [
    {
      rejects: 'an input without a time axis, naming its shape',
      config: { name: 'td', layer: { className: 'Dense', config: { units: 2 } } },
      build: [4],
      message: "TimeDistributed 'td': input must have shape [null, time, ...features], received [null, 4]",
    },
    {
      rejects: 'a brick of several inputs',
      config: { name: 'td', layer: { className: 'Add', config: { name: 'sum' } } },
      message: "TimeDistributed 'td': layer must take one input, received Add 'sum'",
    },
    {
      rejects: 'an inner spec of an unknown brick, listing the known ones',
      config: { name: 'td', layer: { className: 'Danse', config: {} } },
      message: /^TimeDistributed 'td': layer: layerFromSpec: unknown className "Danse", expected one of Dense, /,
    },
    {
      rejects: 'a bad inner config, naming both bricks and the field',
      config: { name: 'td', layer: { className: 'Dense', config: { name: 'd', units: 0 } } },
      message: "TimeDistributed 'td': layer: Dense 'd': units must be a positive integer, received 0",
    },
    {
      rejects: 'a config without a layer',
      config: { name: 'td' } as never,
      message: "TimeDistributed 'td': layer must be a brick or its spec { className, config }, received nothing",
    },
    {
      rejects: 'a wrapped brick with several outputs',
      run: () => {
        class TwoOutputs extends Dense {
          readonly extraOutputShapes = [[2]];
        }
        new TimeDistributed({ name: 'td', layer: new TwoOutputs({ name: 'two', units: 2 }) }).build([3, 4]);
      },
      message: "TimeDistributed 'td': layer Dense 'two' has several outputs",
    },
  ],
});

/** Largest |a - b| / max(|a|, |b|, 1e-3) over two tensors' entries. */
async function relError(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const [av, bv] = [await a.data(), await b.data()];
  let worst = 0;
  av.forEach((v, i) => {
    const w = bv[i] as number;
    worst = Math.max(worst, Math.abs(v - w) / Math.max(Math.abs(v), Math.abs(w), 1e-3));
  });
  return worst;
}

describe('TimeDistributed', () => {
  forEachBackend(() => {
    test('TimeDistributed(Dense) is Dense on a rank-3 input: output, backward, paramGrads, fused backward', async () => {
      setSeed(1);
      const inner = new Dense({ units: 3, activation: 'softmax', biasInitializer: bias });
      const td = new TimeDistributed({ layer: inner });
      td.build([4, 5]);
      setSeed(1);
      const plain = new Dense({ units: 3, activation: 'softmax', biasInitializer: bias });
      plain.build([4, 5]);
      const x = tf.randomUniform([2, 4, 5], -1, 1, 'float32', 2);
      const dy = tf.randomUniform([2, 4, 3], -1, 1, 'float32', 3);
      const a = td.forward(x, { training: true });
      const b = plain.forward(x, { training: true });
      expect(await relError(a.y, b.y)).toBeLessThan(1e-6);
      const pairs = [
        [td.backward(dy, a.cache), plain.backward(dy, b.cache)],
        [td.backwardFromPreActivation(dy, a.cache), plain.backwardFromPreActivation(dy, b.cache)],
      ] as const;
      for (const [got, want] of pairs) {
        expect(await relError(got.dx, want.dx)).toBeLessThan(1e-5);
        expect(await relError(got.grads.kernel as tf.Tensor, want.grads.kernel)).toBeLessThan(1e-5);
        expect(await relError(got.grads.bias as tf.Tensor, want.grads.bias as tf.Tensor)).toBeLessThan(1e-5);
      }
      const only = td.paramGrads(dy, a.cache);
      expect(await relError(only.kernel as tf.Tensor, pairs[0][1].grads.kernel)).toBeLessThan(1e-5);
      expect(td.activation).toBe('softmax');
      tf.dispose([x, dy, a, b, pairs, only] as unknown as tf.TensorContainer);
      td.dispose();
      plain.dispose();
    });

    test('TimeDistributed(Conv2D) on [B, T, H, W, C] is Conv2D applied to each step', async () => {
      setSeed(2);
      const conv = new Conv2D({ filters: 2, kernelSize: 2, activation: 'relu', biasInitializer: bias });
      const td = new TimeDistributed({ layer: conv });
      expect(td.build([3, 4, 4, 2])).toEqual([3, 3, 3, 2]);
      const x = tf.randomUniform([2, 3, 4, 4, 2], -1, 1, 'float32', 4);
      const dy = tf.randomUniform([2, 3, 3, 3, 2], -1, 1, 'float32', 5);
      const { y, cache } = td.forward(x, { training: true });
      const back = td.backward(dy, cache);
      const steps = [0, 1, 2].map((t) => {
        const xt = tf.squeeze(tf.slice(x, [0, t], [2, 1]), [1]);
        const dyt = tf.squeeze(tf.slice(dy, [0, t], [2, 1]), [1]);
        const out = conv.forward(xt, { training: true });
        return { y: out.y, ...conv.backward(dyt, out.cache) };
      });
      expect(
        await relError(
          y,
          tf.stack(
            steps.map((s) => s.y),
            1,
          ),
        ),
      ).toBeLessThan(1e-5);
      expect(
        await relError(
          back.dx,
          tf.stack(
            steps.map((s) => s.dx),
            1,
          ),
        ),
      ).toBeLessThan(1e-5);
      const kernel = tf.addN(steps.map((s) => s.grads.kernel));
      expect(await relError(back.grads.kernel as tf.Tensor, kernel)).toBeLessThan(1e-4);
      tf.dispose([x, dy, y, cache, back, steps, kernel] as unknown as tf.TensorContainer);
      td.dispose();
    });
  });

  test("its weights are the wrapped brick's, under the same keys, and disposing it disposes them once", () => {
    const bn = new BatchNormalization({ gammaRegularizer: 'l2' });
    const td = new TimeDistributed({ layer: bn });
    td.build([5, 3]);
    expect(td.params).toBe(bn.params);
    expect(Object.keys(td.params)).toEqual(['gamma', 'beta']);
    expect(td.state).toBe(bn.state);
    expect(Object.keys(td.regularizers())).toEqual(['gamma']);
    const before = tf.memory().numTensors;
    td.dispose();
    expect(tf.memory().numTensors).toBe(before - 4);
  });

  test('made from a brick, its spec holds that brick\'s spec (Keras\' "layer")', () => {
    const inner = new Dense({ name: 'proj', units: 4 });
    const td = new TimeDistributed({ name: 'td', layer: inner });
    expect(td.layer).toBe(inner);
    expect(td.toSpec()).toEqual({ className: 'TimeDistributed', config: { name: 'td', layer: inner.toSpec() } });
    expect(td.activation).toBe('linear');
  });

  test('passes a mask through and takes sequences of any length symbolically', () => {
    const td = new TimeDistributed({ layer: { className: 'Dense', config: { units: 4 } } });
    expect(td.supportsMasking).toBe(true);
    expect('computeMask' in td).toBe(false);
    const y = td.apply(input({ shape: [null, 8] }));
    expect(y.shape).toEqual([null, 4] satisfies Shape);
    td.dispose();
  });

  test("the wrapped brick's activity penalty is its own: over the B·T steps it sees", async () => {
    setSeed(4);
    const td = new TimeDistributed({ layer: new Dense({ units: 2, activityRegularizer: 'l2' }) });
    const x = tf.randomUniform([2, 3, 4], -1, 1, 'float32', 6);
    const { y, cache, penalty } = td.forward(x, { training: true });
    const want = Array.from(await y.data()).reduce((s, v) => s + 0.01 * v * v, 0) / 6;
    expect((await (penalty as tf.Scalar).data())[0]).toBeCloseTo(want, 6);
    tf.dispose([x, y, cache, penalty] as unknown as tf.TensorContainer);
    td.dispose();
  });
});

describe('TimeDistributed parity with tfjs-layers on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  const cases: [string, Record<string, unknown>, tfl.layers.Layer, number[]][] = [
    [
      'Dense',
      dense({ units: 3, activation: 'sigmoid' }),
      tfl.layers.dense({ units: 3, activation: 'sigmoid' }),
      [2, 4, 5],
    ],
    [
      'Conv2D',
      { className: 'Conv2D', config: { filters: 2, kernelSize: 2, padding: 'same', biasInitializer: bias } },
      tfl.layers.conv2d({ filters: 2, kernelSize: 2, padding: 'same' }),
      [2, 3, 4, 4, 1],
    ],
  ];
  for (const [name, layer, theirInner, shape] of cases) {
    test(`TimeDistributed(${name}) gives the same output with the same weights`, async () => {
      setSeed(5);
      const ours = new TimeDistributed({ layer: layer as never });
      const theirs = tfl.layers.timeDistributed({ layer: theirInner });
      const x = tf.randomUniform(shape, -1, 1, 'float32', 7);
      const { y, cache } = ours.forward(x, { training: false });
      tf.dispose(theirs.apply(x) as tf.Tensor);
      theirs.setWeights(Object.values(ours.params));
      const want = theirs.apply(x) as tf.Tensor;
      expect(await relError(y, want)).toBeLessThan(1e-5);
      tf.dispose([x, y, cache, want] as unknown as tf.TensorContainer);
      ours.dispose();
      theirs.dispose();
    });
  }
});
