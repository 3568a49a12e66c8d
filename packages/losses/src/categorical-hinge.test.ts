import {
  expectKerasClose,
  expectLossGradients,
  expectNoLeak,
  expectTensorClose,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, test } from 'vitest';
import { CategoricalHinge } from './categorical-hinge.js';

// Keras 3, keras/src/losses/losses_test.py, CategoricalHingeTest.
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

describe('CategoricalHinge', () => {
  test('matches Keras: 1.4 unweighted, 0.6 with weights [1, 0], 0 with weight 0', async () => {
    const { y, p } = kerasData();
    const hinge = new CategoricalHinge();
    await expectKerasClose(hinge.value(y, p), [1.4]);
    await expectKerasClose(hinge.value(y, p, tf.tensor1d([1, 0])), [0.6]);
    await expectTensorClose(hinge.value(y, p, tf.scalar(0)), [0]);
  });

  test('is zero once the true score beats the best other by 1', async () => {
    const hinge = new CategoricalHinge();
    const y = tf.tensor2d([[0, 1, 0]]);
    const p = tf.tensor2d([[0.2, 1.5, 0.4]]);
    await expectTensorClose(hinge.value(y, p), [0]);
    await expectTensorClose(hinge.grad(y, p), [0, 0, 0]);
  });

  test('splits the gradient of a tied best other score between the tied entries', async () => {
    const y = tf.tensor2d([[1, 0, 0]]);
    const p = tf.tensor2d([[0.5, 0.3, 0.3]]);
    await expectTensorClose(new CategoricalHinge().grad(y, p), [-1, 0.5, 0.5]);
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences off the kinks, with sample weights', async () => {
      const y = tf.tensor2d([
        [0, 1, 0],
        [1, 0, 0],
        [0, 0, 1],
      ]);
      // Margins 0.7, 1.5 and 0 (inactive: -0.6); the best other score leads by at least 0.2.
      const p = tf.tensor2d([
        [0.2, 0.8, 0.5],
        [0.1, 0.6, 0.2],
        [0.3, 0.1, 1.9],
      ]);
      await expectLossGradients(new CategoricalHinge(), y, p);
      await expectLossGradients(new CategoricalHinge(), y, p, { sampleWeight: tf.tensor2d([[0.5], [2], [1]]) });
      await expectLossGradients(new CategoricalHinge(), tf.reshape(y, [1, 3, 3]), tf.reshape(p, [1, 3, 3]), {
        sampleWeight: tf.tensor2d([[0.5, 2, 1]]),
      });
    });
  });

  test('leaks no tensor', async () => {
    const hinge = new CategoricalHinge();
    const { y, p } = kerasData();
    await expectNoLeak(() => tf.dispose([hinge.value(y, p), hinge.grad(y, p)]));
  });
});
