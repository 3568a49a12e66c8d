import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Flatten } from './flatten.js';

describeBrick('Flatten', {
  brick: Flatten,
  cases: [{ config: {}, inputShape: [2, 3, 2], outputShape: [12] }],
  spec: [{ name: 'flat' }],
  errors: [
    {
      rejects: 'an input of another shape than it was built for, naming both shapes',
      config: { name: 'f' },
      build: [2, 3],
      forward: [1, 3, 2],
      message: "Flatten 'f': input must have shape [null, 2, 3], received [1, 3, 2]",
    },
  ],
});

describe('Flatten', () => {
  test('keeps the batch axis and the row-major order', async () => {
    const x = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    const { y } = new Flatten().forward(x, { training: false });
    expect(y.shape).toEqual([2, 4]);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    tf.dispose([x, y]);
  });
});
