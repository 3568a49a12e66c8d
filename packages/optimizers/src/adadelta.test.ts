import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Adadelta } from './adadelta.js';

describe('Adadelta', () => {
  test('has the Keras 3 defaults', () => {
    expect(new Adadelta().config).toEqual({ learningRate: 0.001, rho: 0.95, epsilon: 1e-7 });
  });

  test('takes its first step as -lr·g·√ε/√((1-ρ)g² + ε): tiny, whatever the gradient’s size', async () => {
    const w = tf.variable(tf.zeros([2]));
    const g = tf.tensor1d([100, -0.01]);
    const opt = new Adadelta({ learningRate: 1, rho: 0.9, epsilon: 1e-6 });
    opt.apply([w], [g]);
    const expected = [100, -0.01].map((gi) => (-gi * Math.sqrt(1e-6)) / Math.sqrt(0.1 * gi * gi + 1e-6));
    for (const [i, x] of Array.from(await w.data()).entries()) expect(x).toBeCloseTo(expected[i] as number, 6);
    tf.dispose([w, g]);
    opt.dispose();
  });
});
