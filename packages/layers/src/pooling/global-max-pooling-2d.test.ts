import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { GlobalMaxPooling2D } from './global-max-pooling-2d.js';

describeBrick('GlobalMaxPooling2D', {
  brick: GlobalMaxPooling2D,
  cases: [
    // A small step keeps each channel's argmax where it is.
    { title: '(keepdims false)', config: { keepdims: false }, inputShape: [5, 5, 2], epsilon: 1e-3, outputShape: [2] },
    {
      title: '(keepdims true)',
      config: { keepdims: true },
      inputShape: [5, 5, 2],
      epsilon: 1e-3,
      outputShape: [1, 1, 2],
    },
  ],
  spec: [{ keepdims: true }],
  errors: [
    {
      rejects: 'an input without height, width and channels',
      config: { name: 'g' },
      build: [4, 4],
      message: "GlobalMaxPooling2D 'g': input must have shape [null, height, width, channels], received [null, 4, 4]",
    },
  ],
});

describe('GlobalMaxPooling2D', () => {
  forEachBackend(() => {
    test('routes a tied gradient to the first maximum in row-major order', async () => {
      const pool = new GlobalMaxPooling2D();
      const x = tf.tensor4d([0, 5, 3, 5, 5, 1, 5, 2], [1, 2, 2, 2]);
      const dy = tf.tensor2d([[7, 9]]);
      const { y, cache } = pool.forward(x, { training: true });
      const { dx } = pool.backward(dy, cache);
      expect(Array.from(await y.data())).toEqual([5, 5]);
      expect(Array.from(await dx.data())).toEqual([0, 9, 0, 0, 7, 0, 0, 0]);
      tf.dispose([x, dy, y, dx]);
    });
  });
});
