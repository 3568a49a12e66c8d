import { useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { GlobalAveragePooling1D } from './global-average-pooling-1d.js';

describeBrick('GlobalAveragePooling1D', {
  brick: GlobalAveragePooling1D,
  cases: [
    { title: '(keepdims false)', config: {}, inputShape: [5, 3], outputShape: [3] },
    { title: '(keepdims true)', config: { keepdims: true }, inputShape: [5, 3], outputShape: [1, 3] },
  ],
  spec: [{ keepdims: true }],
  errors: [
    {
      rejects: 'an input without steps and features',
      config: { name: 'g' },
      build: [4, 4, 2],
      message: "GlobalAveragePooling1D 'g': input must have shape [null, steps, features], received [null, 4, 4, 2]",
    },
  ],
});

describe('GlobalAveragePooling1D', () => {
  test('averages each feature over the steps', async () => {
    const x = tf.tensor3d([1, 10, 2, 20, 6, 60], [1, 3, 2]);
    const y = new GlobalAveragePooling1D().forward(x, { training: false }).y;
    expect(Array.from(await y.data())).toEqual([3, 30]);
    tf.dispose([x, y]);
  });

  test('matches tfjs-layers globalAveragePooling1d forward on cpu', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([3, 7, 4], -1, 1, 'float32', 5);
    const ours = new GlobalAveragePooling1D().forward(x, { training: false }).y;
    const theirs = tfl.layers.globalAveragePooling1d().apply(x) as tf.Tensor;
    expect(ours.shape).toEqual(theirs.shape);
    const [a, b] = [await ours.data(), await theirs.data()];
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] as number, 6);
    tf.dispose([x, ours, theirs]);
  });
});
