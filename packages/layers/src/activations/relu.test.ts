import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { ReLU } from './relu.js';

/** Inputs off every kink of a ReLU with threshold 0.5 and maxValue 2 (kinks at 0.5 and 2). */
const offKinks = () => tf.tensor2d([[-1.2, -0.3, 0.1, 0.3, 0.8, 1.4, 2.5, 3.1, -0.05, 0.95, 1.9, 2.2]], [1, 12]);

describeBrick('ReLU', {
  brick: ReLU,
  cases: [
    { title: 'with the defaults', config: {}, inputShape: [5] },
    {
      title: 'with maxValue, negativeSlope and threshold',
      config: { maxValue: 2, negativeSlope: 0.2, threshold: 0.5 },
      inputShape: [12],
      input: offKinks,
      batchSize: 1,
    },
  ],
  spec: [{ maxValue: 6, negativeSlope: 0.1, threshold: 0.2 }, {}],
  errors: [
    {
      rejects: 'a negative maxValue',
      config: { name: 'r', maxValue: -1 },
      message: "ReLU 'r': maxValue must be non-negative, received -1",
    },
    {
      rejects: 'a negative negativeSlope',
      config: { name: 'r', negativeSlope: -0.1 },
      message: "ReLU 'r': negativeSlope must be non-negative, received -0.1",
    },
    {
      rejects: 'a negative threshold',
      config: { name: 'r', threshold: -2 },
      message: "ReLU 'r': threshold must be non-negative, received -2",
    },
  ],
});

describe('ReLU', () => {
  forEachBackend(() => {
    test('follows the Keras formula', async () => {
      const relu = new ReLU({ maxValue: 2, negativeSlope: 0.2, threshold: 0.5 });
      const x = offKinks();
      const { y } = relu.forward(x, { training: false });
      const xs = Array.from(await x.data());
      const expected = xs.map((v) => (v > 0.5 ? Math.min(v, 2) : 0.2 * (v - 0.5)));
      const got = Array.from(await y.data());
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i] as number, 6);
      });
      tf.dispose([x, y]);
    });
  });
});
