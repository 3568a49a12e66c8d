import { Random } from '@brickml/core';
import { expectLossGradients, expectNoLeak, expectTensorClose, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, test } from 'vitest';
import { Hinge } from './hinge.js';

describe('Hinge', () => {
  test('gives the lecture values: max(0, 1 - y·p)', async () => {
    const hinge = new Hinge();
    // Margins y·p of 2, 0.3, -0.5 and 1 give 0, 0.7, 1.5 and 0.
    const y = tf.tensor2d([[1], [-1], [1], [-1]]);
    const p = tf.tensor2d([[2], [-0.3], [-0.5], [-1]]);
    await expectTensorClose(hinge.value(y, p), [(0 + 0.7 + 1.5 + 0) / 4]);
  });

  test('reads 0/1 labels as -1/1, as Keras does', async () => {
    const hinge = new Hinge();
    const p = tf.tensor2d([[0.4], [-0.2], [1.5]]);
    await expectTensorClose(
      hinge.value(tf.tensor2d([[1], [0], [0]]), p),
      hinge.value(tf.tensor2d([[1], [-1], [-1]]), p),
      1e-6,
    );
    await expectTensorClose(
      hinge.grad(tf.tensor2d([[1], [0], [0]]), p),
      hinge.grad(tf.tensor2d([[1], [-1], [-1]]), p),
      1e-6,
    );
  });

  test('value matches tf.losses.hingeLoss on 0/1 labels, with sample weights', async () => {
    const r = new Random(1);
    const y = tf.cast(tf.greater(r.uniform([6, 3]), 0.5), 'float32');
    const p = r.uniform([6, 3], -2, 2);
    const w = r.uniform([6], 0, 2) as tf.Tensor1D;
    const hinge = new Hinge();
    await expectTensorClose(hinge.value(y, p), tf.losses.hingeLoss(y, p, undefined, tf.Reduction.MEAN));
    const sum = tf.losses.hingeLoss(y, p, tf.reshape(w, [6, 1]), tf.Reduction.SUM);
    await expectTensorClose(hinge.value(y, p, w), tf.div(sum, 18));
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences, with sample weights', async () => {
      const y = tf.tensor2d([
        [1, -1, 1],
        [-1, -1, 1],
      ]);
      const p = tf.tensor2d([
        [0.3, 0.5, 1.7],
        [-2, 0.2, -0.4],
      ]);
      await expectLossGradients(new Hinge(), y, p);
      await expectLossGradients(new Hinge(), y, p, { sampleWeight: tf.tensor1d([0.5, 2]) });
    });
  });

  test('leaks no tensor', async () => {
    const hinge = new Hinge();
    const y = tf.ones([2, 3]);
    const p = tf.zeros([2, 3]);
    await expectNoLeak(() => tf.dispose([hinge.value(y, p), hinge.grad(y, p)]));
  });
});
