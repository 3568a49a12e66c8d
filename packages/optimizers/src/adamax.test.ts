import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Adamax } from './adamax.js';

describe('Adamax', () => {
  test('has the Keras 3 defaults', () => {
    expect(new Adamax().config).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  });

  test('its norm is the running maximum max(β₂·u, |g|), not a mean of squares', async () => {
    const w = tf.variable(tf.zeros([2]));
    const opt = new Adamax({ beta2: 0.5 });
    for (const g of [
      [3, -4],
      [1, 1],
    ]) {
      const gt = tf.tensor1d(g);
      opt.apply([w], [gt]);
      gt.dispose();
    }
    expect((await opt.getState()).slots[w.name]?.norm?.values).toEqual([1.5, 2]);
    w.dispose();
    opt.dispose();
  });
});
