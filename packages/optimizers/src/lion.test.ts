import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Lion } from './lion.js';

describe('Lion', () => {
  test('has the Keras 3 defaults', () => {
    expect(new Lion().config).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.99 });
  });

  test('moves every entry by exactly lr, whatever the gradient’s size, and leaves zero gradients still', async () => {
    const w = tf.variable(tf.tensor1d([1, 1, 1]));
    const g = tf.tensor1d([1e-4, -50, 0]);
    const opt = new Lion({ learningRate: 0.25 });
    opt.apply([w], [g]);
    expect(Array.from(await w.data())).toEqual([0.75, 1.25, 1]);
    tf.dispose([w, g]);
    opt.dispose();
  });
});
