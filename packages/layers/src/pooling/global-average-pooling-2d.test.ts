import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { GlobalAveragePooling2D } from './global-average-pooling-2d.js';

describeBrick('GlobalAveragePooling2D', {
  brick: GlobalAveragePooling2D,
  cases: [
    { title: '(keepdims false)', config: { keepdims: false }, inputShape: [5, 5, 2], outputShape: [2] },
    { title: '(keepdims true)', config: { keepdims: true }, inputShape: [5, 5, 2], outputShape: [1, 1, 2] },
  ],
  spec: [{ keepdims: true }],
  errors: [
    {
      rejects: 'an input without height, width and channels',
      config: { name: 'g' },
      build: [10],
      message: "GlobalAveragePooling2D 'g': input must have shape [null, height, width, channels], received [null, 10]",
    },
  ],
});

describe('GlobalAveragePooling2D', () => {
  test('averages each channel over the image', async () => {
    const x = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    const y = new GlobalAveragePooling2D().forward(x, { training: false }).y;
    expect(Array.from(await y.data())).toEqual([2.5, 25]);
    tf.dispose([x, y]);
  });
});
