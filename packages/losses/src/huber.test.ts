import { BrickError, Random } from '@brickml/core';
import { expectLossGradients, expectNoLeak, expectTensorClose, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Huber } from './huber.js';

describe('Huber', () => {
  test('gives the lecture values: delta 1 on errors 0.5 and 2 gives 0.125 and 1.5', async () => {
    const huber = new Huber();
    await expectTensorClose(huber.value(tf.tensor2d([[0]]), tf.tensor2d([[0.5]])), [0.125]);
    await expectTensorClose(huber.value(tf.tensor2d([[0]]), tf.tensor2d([[-2]])), [1.5]);
    // Both in one batch: (0.125 + 1.5) / 2 examples.
    await expectTensorClose(huber.value(tf.tensor2d([[1], [3]]), tf.tensor2d([[1.5], [1]])), [0.8125]);
  });

  test('value matches tf.losses.huberLoss for several deltas, with sample weights', async () => {
    const r = new Random(1);
    const [y, p, w] = [r.uniform([6, 3], -3, 3), r.uniform([6, 3], -3, 3), r.uniform([6], 0, 2)] as const;
    for (const delta of [0.5, 1, 2.5]) {
      const huber = new Huber({ delta });
      const sum = tf.losses.huberLoss(y, p, tf.reshape(w, [6, 1]), delta, tf.Reduction.SUM);
      await expectTensorClose(huber.value(y, p), tf.losses.huberLoss(y, p, undefined, delta, tf.Reduction.MEAN));
      await expectTensorClose(huber.value(y, p, w as tf.Tensor1D), tf.div(sum, 18));
    }
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences on both branches, with sample weights', async () => {
      const y = tf.tensor2d([
        [0, 1, -1],
        [2, 0, 0.5],
      ]);
      const p = tf.tensor2d([
        [0.3, 3, -1.6],
        [-0.5, -0.9, 0.45],
      ]);
      await expectLossGradients(new Huber(), y, p);
      await expectLossGradients(new Huber({ delta: 0.5 }), y, p, { sampleWeight: tf.tensor1d([3, 0.25]) });
    });
  });

  test('rejects a non-positive delta with a named error', () => {
    expect(() => new Huber({ delta: 0 })).toThrowError(BrickError);
    expect(() => new Huber({ delta: -1 })).toThrow('Huber: delta must be positive, received -1');
  });

  test('leaks no tensor', async () => {
    const huber = new Huber();
    const y = tf.ones([2, 3]);
    const p = tf.zeros([2, 3]);
    await expectNoLeak(() => tf.dispose([huber.value(y, p), huber.grad(y, p)]));
  });
});
