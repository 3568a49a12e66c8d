import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Reshape } from './reshape.js';

describeBrick('Reshape', {
  brick: Reshape,
  cases: [
    { title: 'to a stated shape', config: { targetShape: [3, 4] }, inputShape: [2, 6] },
    { title: 'to a shape with a -1', config: { targetShape: [-1] }, inputShape: [3, 4], outputShape: [12] },
  ],
  spec: [{ targetShape: [7, -1, 2] }],
  errors: [
    {
      rejects: 'a targetShape whose size does not match, naming both shapes',
      config: { name: 'r', targetShape: [5, 2] },
      build: [3, 4],
      message:
        "Reshape 'r': cannot reshape an input of shape [null, 3, 4] (12 values per example) to targetShape [5, 2]",
    },
    {
      rejects: 'a targetShape with a -1 that no whole size fills',
      config: { name: 'r', targetShape: [5, -1] },
      build: [3, 4],
      message:
        "Reshape 'r': cannot reshape an input of shape [null, 3, 4] (12 values per example) to targetShape [5, -1]",
    },
    {
      rejects: 'two -1 entries',
      config: { name: 'r', targetShape: [-1, -1] },
      message: "Reshape 'r': targetShape may contain at most one -1, received [-1,-1]",
    },
    {
      rejects: 'a size of 0',
      config: { name: 'r', targetShape: [0, 3] },
      message: "Reshape 'r': targetShape[0] must hold positive integers or one -1, received 0",
    },
    {
      rejects: 'a missing targetShape',
      config: { name: 'r' } as never,
      message: "Reshape 'r': targetShape must be an array of integers, received nothing",
    },
  ],
});

describe('Reshape', () => {
  test('fills in one -1 from the input size', () => {
    expect(new Reshape({ targetShape: [-1, 4] }).build([2, 6])).toEqual([3, 4]);
    expect(new Reshape({ targetShape: [2, -1, 2] }).build([12])).toEqual([2, 3, 2]);
  });

  test('keeps the batch axis and the row-major order', async () => {
    const x = tf.tensor2d([
      [1, 2, 3, 4, 5, 6],
      [7, 8, 9, 10, 11, 12],
    ]);
    const { y } = new Reshape({ targetShape: [3, 2] }).forward(x, { training: false });
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    tf.dispose([x, y]);
  });
});
