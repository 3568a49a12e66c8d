import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { SGD } from './sgd.js';

describe('SGD', () => {
  test('matches the Keras golden step: lr 0.5, grads [1, 6, 7, 2] move [1, 2, 3, 4] to [0.5, -1, -0.5, 3]', async () => {
    const sgd = new SGD({ learningRate: 0.5 });
    const w = tf.variable(tf.tensor1d([1, 2, 3, 4]));
    const g = tf.tensor1d([1, 6, 7, 2]);
    sgd.apply([w], [g]);
    expect(Array.from(await w.data())).toEqual([0.5, -1, -0.5, 3]);
    tf.dispose([w, g]);
  });

  test('has the Keras 3 defaults', () => {
    expect(new SGD().config).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false });
  });

  test('keeps a velocity slot only with momentum', async () => {
    const w = tf.variable(tf.zeros([2]));
    const g = tf.ones([2]);
    const plain = new SGD();
    const heavy = new SGD({ momentum: 0.9 });
    plain.apply([w], [g]);
    heavy.apply([w], [g]);
    expect((await plain.getState()).slots[w.name]).toEqual({});
    expect(Object.keys((await heavy.getState()).slots[w.name] ?? {})).toEqual(['momentum']);
    tf.dispose([w, g]);
    plain.dispose();
    heavy.dispose();
  });
});
