import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Softmax } from './softmax.js';

describeBrick('Softmax', {
  brick: Softmax,
  cases: [
    { title: 'over the last axis', config: {}, inputShape: [2, 4] },
    { title: 'over a middle axis', config: { axis: 1 }, inputShape: [3, 2] },
  ],
  spec: [{ axis: 2 }, {}],
  errors: [
    {
      rejects: 'the batch axis',
      config: { name: 's', axis: 0 },
      build: [4],
      message: "Softmax 's': axis must name a non-batch axis of an input of rank 2 (1..1 or -1..-1), received 0",
    },
    {
      rejects: 'an axis past the last',
      config: { name: 's', axis: 3 },
      build: [4, 5],
      message: "Softmax 's': axis must name a non-batch axis of an input of rank 3 (1..2 or -2..-1), received 3",
    },
    {
      rejects: 'a negative axis past the first',
      config: { name: 's', axis: -3 },
      build: [4],
      message: "Softmax 's': axis must name a non-batch axis of an input of rank 2 (1..1 or -1..-1), received -3",
    },
    {
      rejects: 'an axis that is not an integer',
      config: { name: 's', axis: 1.5 },
      message: "Softmax 's': axis must be an integer, received 1.5",
    },
  ],
});

describe('Softmax', () => {
  forEachBackend(() => {
    test('sums to one along its axis', async () => {
      const softmax = new Softmax({ axis: -2 });
      const x = tf.tensor3d([
        [
          [1, -2],
          [3, 0.5],
          [-1, 2],
        ],
      ]);
      const { y } = softmax.forward(x, { training: false });
      const sums = tf.sum(y, 1);
      for (const s of await sums.data()) expect(s).toBeCloseTo(1, 6);
      tf.dispose([x, y, sums]);
    });
  });
});
