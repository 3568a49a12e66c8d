import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Tanh } from './tanh.js';

describeBrick('Tanh', {
  brick: Tanh,
  cases: [{ config: {}, inputShape: [2, 3] }],
  spec: [{ name: 'tanh_out' }],
  errors: [
    {
      rejects: 'an unknown field',
      config: { name: 's', alpha: 1 } as never,
      message: "Tanh 's': unknown field(s) 'alpha'",
    },
  ],
});

describe('Tanh', () => {
  test('matches Math.tanh', async () => {
    const x = tf.tensor2d([[-3, -0.5, 0, 0.7, 4]]);
    const { y } = new Tanh().forward(x, { training: false });
    const got = Array.from(await y.data());
    [-3, -0.5, 0, 0.7, 4].forEach((v, i) => {
      expect(got[i]).toBeCloseTo(Math.tanh(v), 6);
    });
    tf.dispose([x, y]);
  });
});
