import { Random } from '@brickml/core';
import { expectLossGradients, expectNoLeak, expectTensorClose, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, test } from 'vitest';
import { KLDivergence } from './kl-divergence.js';

// Keras 3, keras/src/losses/losses_test.py, KLDivergenceTest: expected values are Σ y·log(y/p) / batch.
const kerasData = () => ({
  y: tf.tensor2d([0.5, 0.8, 0.12, 0.7, 0.43, 0.8], [2, 3]),
  p: tf.tensor2d([0.4, 0.9, 0.12, 0.36, 0.3, 0.4], [2, 3]),
});

describe('KLDivergence', () => {
  test('matches Keras: unweighted, scalar, [N, 1] and zero weights', async () => {
    const { y, p } = kerasData();
    const kld = new KLDivergence();
    await expectTensorClose(kld.value(y, p), [0.5960738]);
    await expectTensorClose(kld.value(y, p, tf.scalar(2.3)), [1.3709698]);
    await expectTensorClose(kld.value(y, p, tf.tensor2d([[1.2], [3.4]])), [2.0075712]);
    await expectTensorClose(kld.value(y, p, tf.scalar(0)), [0]);
  });

  test('matches Keras per time step: [N, T] weights on [N, T, 1], divided by N·T', async () => {
    const { y, p } = kerasData();
    const w = tf.tensor2d([3, 6, 5, 0, 4, 2], [2, 3]);
    await expectTensorClose(
      new KLDivergence().value(tf.reshape(y, [2, 3, 1]), tf.reshape(p, [2, 3, 1]), w),
      [0.2495995],
    );
  });

  test('clips both distributions to [ε, 1] as Keras does: a zero target adds nothing', async () => {
    const kld = new KLDivergence();
    const value = kld.value(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.5, 0.5]]));
    // 1·log(1/0.5) + ε·log(ε/0.5) ≈ log 2.
    await expectTensorClose(value, [Math.log(2)], 1e-5);
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences, with sample weights', async () => {
      const r = new Random(1);
      const y = tf.softmax(r.uniform([3, 4], -1, 1));
      const p = r.uniform([3, 4], 0.1, 0.9);
      await expectLossGradients(new KLDivergence(), y, p);
      await expectLossGradients(new KLDivergence(), y, p, { sampleWeight: r.uniform([3], 0.2, 2) });
      await expectLossGradients(new KLDivergence(), tf.reshape(y, [3, 2, 2]), tf.reshape(p, [3, 2, 2]), {
        sampleWeight: r.uniform([3, 2], 0, 2),
      });
    });
  });

  test('leaks no tensor', async () => {
    const kld = new KLDivergence();
    const { y, p } = kerasData();
    await expectNoLeak(() => tf.dispose([kld.value(y, p), kld.grad(y, p)]));
  });
});
