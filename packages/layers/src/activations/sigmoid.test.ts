import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Sigmoid } from './sigmoid.js';

describeBrick('Sigmoid', {
  brick: Sigmoid,
  cases: [{ config: {}, inputShape: [2, 3] }],
  spec: [{ name: 'sigmoid_out' }],
  errors: [
    {
      rejects: 'an unknown field',
      config: { name: 's', alpha: 1 } as never,
      message: "Sigmoid 's': unknown field(s) 'alpha'",
    },
  ],
});

describe('Sigmoid', () => {
  test('matches 1 / (1 + e⁻ˣ)', async () => {
    const x = tf.tensor2d([[-3, -0.5, 0, 0.7, 4]]);
    const { y } = new Sigmoid().forward(x, { training: false });
    const got = Array.from(await y.data());
    [-3, -0.5, 0, 0.7, 4].forEach((v, i) => {
      expect(got[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 6);
    });
    tf.dispose([x, y]);
  });
});
