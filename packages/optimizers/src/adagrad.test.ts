import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Adagrad } from './adagrad.js';

describe('Adagrad', () => {
  test('has the Keras 3 defaults', () => {
    expect(new Adagrad().config).toEqual({ learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
  });

  test('its accumulator starts at initialAccumulatorValue and adds g²', async () => {
    const w = tf.variable(tf.zeros([2]));
    const g = tf.tensor1d([1, -2]);
    const opt = new Adagrad({ initialAccumulatorValue: 0.5 });
    opt.apply([w], [g]);
    const { accumulator } = (await opt.getState()).slots[w.name] ?? {};
    expect(accumulator).toEqual({ shape: [2], values: [1.5, 4.5] });
    tf.dispose([w, g]);
    opt.dispose();
  });
});
