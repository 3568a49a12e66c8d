import { Random } from '@brickml/core';
import { expectLossGradients, expectNoLeak, expectTensorClose, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, test } from 'vitest';
import { Poisson } from './poisson.js';

// Keras 3, keras/src/losses/losses_test.py, PoissonTest: expected values are Σ (p - y·log p) / (N·C).
const kerasData = () => ({
  y: tf.tensor2d([4, 8, 12, 8, 1, 3], [2, 3]),
  p: tf.tensor2d([1, 9, 2, 5, 2, 6], [2, 3]),
});

describe('Poisson', () => {
  test('matches Keras: unweighted, scalar, [N, 1] and zero weights', async () => {
    const { y, p } = kerasData();
    const poisson = new Poisson();
    await expectTensorClose(poisson.value(y, p), [-3.3065819]);
    await expectTensorClose(poisson.value(y, p, tf.scalar(2.3)), [-7.6051385]);
    await expectTensorClose(poisson.value(y, p, tf.tensor2d([[1.2], [3.4]])), [-6.1473389]);
    await expectTensorClose(poisson.value(y, p, tf.scalar(0)), [0]);
  });

  test('matches Keras per time step: [N, T] weights on [N, T, 1]', async () => {
    const { y, p } = kerasData();
    const w = tf.tensor2d([3, 6, 5, 0, 4, 2], [2, 3]);
    await expectTensorClose(new Poisson().value(tf.reshape(y, [2, 3, 1]), tf.reshape(p, [2, 3, 1]), w), [-12.263126]);
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences, with sample weights', async () => {
      const r = new Random(2);
      const y = tf.round(r.uniform([3, 4], 0, 5));
      const p = r.uniform([3, 4], 0.5, 3);
      await expectLossGradients(new Poisson(), y, p, { sampleWeight: tf.scalar(1.7) });
      await expectLossGradients(new Poisson(), tf.reshape(y, [3, 2, 2]), tf.reshape(p, [3, 2, 2]), {
        sampleWeight: r.uniform([3, 2], 0, 2),
      });
    });
  });

  test('leaks no tensor', async () => {
    const poisson = new Poisson();
    const { y, p } = kerasData();
    await expectNoLeak(() => tf.dispose([poisson.value(y, p), poisson.grad(y, p)]));
  });
});
