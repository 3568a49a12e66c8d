import { Random } from '@brickml/core';
import { expectLossGradients, expectNoLeak, expectTensorClose, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { CosineSimilarity } from './cosine-similarity.js';

// Keras 3, keras/src/losses/losses_test.py, CosineSimilarityTest: expected values are -mean(w·cos(y, p)).
const kerasData = () => ({
  y: tf.tensor2d([1, 9, 2, -5, -2, 6], [2, 3]),
  p: tf.tensor2d([4, 8, 12, 8, 1, 3], [2, 3]),
});

describe('CosineSimilarity', () => {
  test("gives Keras' docstring values: -0, -1 and 1 per example", async () => {
    const cosine = new CosineSimilarity();
    const y = tf.tensor2d([0, 1, 1, 1, 1, 1], [3, 2]);
    const p = tf.tensor2d([1, 0, 1, 1, -1, -1], [3, 2]);
    // One example at a time: sum over batch of one is the per-example loss.
    for (const [i, want] of [0, -1, 1].entries()) {
      const row = (t: tf.Tensor) => tf.slice(t, [i, 0], [1, 2]);
      await expectTensorClose(cosine.value(row(y), row(p)), [want], 1e-6);
    }
  });

  test('matches Keras: unweighted, scalar, [N] and zero weights; axis 1 on [N, C] alike', async () => {
    const { y, p } = kerasData();
    const cosine = new CosineSimilarity();
    await expectTensorClose(cosine.value(y, p), [-0.1872191]);
    await expectTensorClose(cosine.value(y, p, tf.scalar(2.3)), [-0.4306039]);
    await expectTensorClose(cosine.value(y, p, tf.tensor1d([1.2, 3.4])), [0.155992]);
    await expectTensorClose(cosine.value(y, p, tf.scalar(0)), [0]);
    await expectTensorClose(new CosineSimilarity({ axis: 1 }).value(y, p), [-0.1872191]);
  });

  test('matches Keras per time step: [N, T] weights on [N, T, 1] (each cosine is a sign product)', async () => {
    const { y, p } = kerasData();
    const w = tf.tensor2d([3, 6, 5, 0, 4, 2], [2, 3]);
    await expectTensorClose(new CosineSimilarity().value(tf.reshape(y, [2, 3, 1]), tf.reshape(p, [2, 3, 1]), w), [-2]);
  });

  test('is 0 for a zero prediction, with a finite gradient', async () => {
    const cosine = new CosineSimilarity();
    const y = tf.tensor2d([[1, 2]]);
    const p = tf.zeros([1, 2]);
    await expectTensorClose(cosine.value(y, p), [0]);
    const g = await cosine.grad(y, p).data();
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
  });

  test('axis 1 on [N, C, T] equals the default axis on the transposed [N, T, C]', async () => {
    const r = new Random(5);
    const [y, p] = [r.uniform([2, 3, 4], -1, 1), r.uniform([2, 3, 4], -1, 1)];
    const t = (x: tf.Tensor) => tf.transpose(x, [0, 2, 1]);
    const w = r.uniform([2, 4], 0, 2);
    await expectTensorClose(
      new CosineSimilarity({ axis: 1 }).value(y, p, w),
      new CosineSimilarity().value(t(y), t(p), w),
    );
    await expectTensorClose(
      new CosineSimilarity({ axis: 1 }).grad(y, p, w),
      t(new CosineSimilarity().grad(t(y), t(p), w)),
      1e-6,
      'grad',
    );
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences: last axis, axis 1, sample weights', async () => {
      const r = new Random(6);
      const y = r.uniform([3, 4], -1, 1);
      const p = r.uniform([3, 4], -1, 1);
      await expectLossGradients(new CosineSimilarity(), y, p, { sampleWeight: r.uniform([3], 0.2, 2) });
      await expectLossGradients(new CosineSimilarity({ axis: 1 }), tf.reshape(y, [3, 2, 2]), tf.reshape(p, [3, 2, 2]), {
        sampleWeight: r.uniform([3, 2], 0, 2),
      });
    });
  });

  test('leaks no tensor', async () => {
    const cosine = new CosineSimilarity();
    const { y, p } = kerasData();
    await expectNoLeak(() => tf.dispose([cosine.value(y, p), cosine.grad(y, p)]));
  });
});
