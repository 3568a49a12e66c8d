import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { RMSprop } from './rmsprop.js';

describe('RMSprop', () => {
  test('matches the Keras golden step: lr 0.5, grads [1, 6, 7, 2] move [1, 2, 3, 4] by -0.5/√0.1', async () => {
    const rmsprop = new RMSprop({ learningRate: 0.5 });
    const w = tf.variable(tf.tensor1d([1, 2, 3, 4]));
    const g = tf.tensor1d([1, 6, 7, 2]);
    rmsprop.apply([w], [g]);
    const expected = [-0.5811, 0.4189, 1.4189, 2.4189];
    for (const [i, a] of Array.from(await w.data()).entries()) expect(a).toBeCloseTo(expected[i] as number, 4);
    tf.dispose([w, g]);
    rmsprop.dispose();
  });

  test('has the Keras 3 defaults', () => {
    expect(new RMSprop().config).toEqual({
      learningRate: 0.001,
      rho: 0.9,
      momentum: 0,
      epsilon: 1e-7,
      centered: false,
    });
  });

  test('keeps the slots its config needs', async () => {
    const w = tf.variable(tf.zeros([2]));
    const g = tf.ones([2]);
    const opt = new RMSprop({ momentum: 0.5, centered: true });
    opt.apply([w], [g]);
    expect(Object.keys((await opt.getState()).slots[w.name] ?? {}).sort()).toEqual([
      'averageGradient',
      'momentum',
      'velocity',
    ]);
    tf.dispose([w, g]);
    opt.dispose();
  });
});
