import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { LeakyReLU } from './leaky-relu.js';

describeBrick('LeakyReLU', {
  brick: LeakyReLU,
  cases: [
    { title: 'with slope 0.2', config: { negativeSlope: 0.2 }, inputShape: [3, 2] },
    { title: 'with the default slope', config: {}, inputShape: [2, 4] },
  ],
  spec: [{ negativeSlope: 0.01 }],
  errors: [
    {
      rejects: 'a negative slope',
      config: { name: 'l', negativeSlope: -1 },
      message: "LeakyReLU 'l': negativeSlope must be non-negative, received -1",
    },
  ],
});

describe('LeakyReLU', () => {
  forEachBackend(() => {
    test('scales negative inputs by 0.3 by default (Keras 3)', async () => {
      const leaky = new LeakyReLU();
      expect(leaky.config.negativeSlope).toBe(0.3);
      const x = tf.tensor2d([[-2, 0.5]]);
      const { y } = leaky.forward(x, { training: false });
      const got = Array.from(await y.data());
      expect(got[0]).toBeCloseTo(-0.6, 6);
      expect(got[1]).toBeCloseTo(0.5, 6);
      tf.dispose([x, y]);
    });
  });
});
