import { Random } from '@brickml/core';
import {
  expectKerasClose,
  expectLossGradients,
  expectNoLeak,
  expectTensorClose,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, test } from 'vitest';
import { SquaredHinge } from './squared-hinge.js';

// Keras 3, keras/src/losses/losses_test.py, SquaredHingeTest: 0/1 labels, read as -1/1.
const kerasData = () => ({
  y: tf.tensor2d([
    [0, 1],
    [0, 0],
  ]),
  p: tf.tensor2d([
    [0.6, 0.4],
    [0.4, 0.6],
  ]),
});

describe('SquaredHinge', () => {
  test('matches Keras: 1.86 unweighted, 0.73 with weights [1, 0], 0 with weight 0', async () => {
    const { y, p } = kerasData();
    const hinge = new SquaredHinge();
    await expectKerasClose(hinge.value(y, p), [1.86]);
    await expectKerasClose(hinge.value(y, p, tf.tensor1d([1, 0])), [0.73]);
    await expectTensorClose(hinge.value(y, p, tf.scalar(0)), [0]);
  });

  test('reads 0/1 labels as -1/1, value and grad', async () => {
    const hinge = new SquaredHinge();
    const p = tf.tensor2d([[0.4], [-0.2], [1.5]]);
    const zeroOne = tf.tensor2d([[1], [0], [0]]);
    const signed = tf.tensor2d([[1], [-1], [-1]]);
    await expectTensorClose(hinge.value(zeroOne, p), hinge.value(signed, p), 1e-6);
    await expectTensorClose(hinge.grad(zeroOne, p), hinge.grad(signed, p), 1e-6, 'grad');
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences, with sample weights', async () => {
      const r = new Random(4);
      const y = tf.tensor2d([
        [1, -1, 1],
        [-1, -1, 1],
      ]);
      const p = r.uniform([2, 3], -2, 2);
      await expectLossGradients(new SquaredHinge(), y, p, { sampleWeight: tf.tensor1d([0.5, 2]) });
      await expectLossGradients(new SquaredHinge(), tf.reshape(y, [2, 3, 1]), tf.reshape(p, [2, 3, 1]), {
        sampleWeight: r.uniform([2, 3], 0, 2),
      });
    });
  });

  test('leaks no tensor', async () => {
    const hinge = new SquaredHinge();
    const { y, p } = kerasData();
    await expectNoLeak(() => tf.dispose([hinge.value(y, p), hinge.grad(y, p)]));
  });
});
