import { useBackend } from '@brickml/core';
import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { MaxPooling1D } from './max-pooling-1d.js';

/** A small step keeps each window's argmax where it is. */
const epsilon = 1e-3;

/** tfjs 4.22's wasm MaxPoolGrad gives no gradient to a window whose maximum is negative. */
const skipAutodiff = {
  on: ['wasm'],
  because: "wasm's MaxPoolGrad drops windows whose maximum is negative",
} as const;

describeBrick('MaxPooling1D', {
  brick: MaxPooling1D,
  cases: [
    { title: '(2 valid)', config: {}, inputShape: [6, 2], epsilon, outputShape: [3, 2], skipAutodiff },
    {
      title: '(3 stride 2 same)',
      config: { poolSize: 3, strides: 2, padding: 'same' },
      inputShape: [7, 2],
      epsilon,
      outputShape: [4, 2],
      skipAutodiff,
    },
    {
      title: '(3 stride 1 valid, overlapping)',
      config: { poolSize: [3], strides: [1] },
      inputShape: [5, 2],
      epsilon,
      outputShape: [3, 2],
      skipAutodiff,
    },
    {
      // Positive inputs avoid the wasm fault above, so autodiff checks every backend here.
      title: '(3 stride 2 same) on positive inputs',
      config: { poolSize: 3, strides: 2, padding: 'same' },
      inputShape: [7, 2],
      input: () => tf.randomUniform([2, 7, 2], 0.1, 1, 'float32', 3),
      epsilon,
    },
  ],
  spec: [{ poolSize: [3], strides: 1, padding: 'same' }, { poolSize: 4 }],
  errors: [
    {
      rejects: 'a pool longer than the input, naming the shapes',
      config: { name: 'p', poolSize: 3 },
      build: [2, 4],
      message:
        "MaxPooling1D 'p': pool 3 is longer than the input [null, 2, 4] with padding 'valid', which leaves an empty output",
    },
    {
      rejects: 'an input without steps and features',
      config: { name: 'p' },
      build: [4, 4, 1],
      message:
        "MaxPooling1D 'p': input must have shape [null, steps, features] (rank 3 with the batch), received [null, 4, 4, 1]",
    },
    {
      rejects: 'a pool size of 0',
      config: { name: 'p', poolSize: 0 },
      message: "MaxPooling1D 'p': poolSize must be a positive integer, received 0",
    },
    {
      rejects: 'a pool size of two numbers',
      config: { name: 'p', poolSize: [2, 2] as never },
      message: "MaxPooling1D 'p': poolSize must be a positive integer or a list of one, received [2,2]",
    },
  ],
});

describe('MaxPooling1D', () => {
  forEachBackend(() => {
    test('routes a tied window’s gradient to its first maximum', async () => {
      const pool = new MaxPooling1D({ poolSize: 2 });
      const x = tf.ones([1, 4, 1]);
      const dy = tf.tensor3d([5, 7], [1, 2, 1]);
      const { cache } = pool.forward(x, { training: true });
      const { dx } = pool.backward(dy, cache);
      expect(Array.from(await dx.data())).toEqual([5, 0, 7, 0]);
      tf.dispose([x, dy, dx, cache.x, cache.y]);
    });
  });

  test('matches tfjs-layers maxPooling1d forward on cpu', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 9, 3], -1, 1, 'float32', 4);
    for (const c of [
      { poolSize: 2 },
      { poolSize: 3, strides: 2, padding: 'same' as const },
      { poolSize: 4, strides: 3, padding: 'valid' as const },
    ]) {
      const ours = new MaxPooling1D(c).forward(x, { training: false }).y;
      const theirs = tfl.layers.maxPooling1d(c).apply(x) as tf.Tensor;
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      tf.dispose([ours, theirs]);
    }
    x.dispose();
  });

  test('defaults strides to poolSize, as Keras', () => {
    expect(new MaxPooling1D({ poolSize: 3 }).build([10, 4])).toEqual([3, 4]);
    expect(new MaxPooling1D({ poolSize: 3, padding: 'same' }).build([10, 4])).toEqual([4, 4]);
    expect(new MaxPooling1D().config).toMatchObject({ poolSize: 2, padding: 'valid' });
  });
});
