import { Random } from '@brickml/core';
import {
  expectLossGradients,
  expectNoLeak,
  expectTensorClose,
  forEachBackend,
  sumOverBatch,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { CategoricalCrossentropy } from './categorical-crossentropy.js';
import { SparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';

function data(seed: number, n: number, c: number) {
  const r = new Random(seed);
  const labels = tf.tensor1d(
    Array.from({ length: n }, () => r.int(c)),
    'int32',
  );
  return {
    labels,
    oneHot: tf.cast(tf.oneHot(labels, c), 'float32'),
    p: tf.softmax(r.uniform([n, c], -2, 2)),
    z: r.uniform([n, c], -3, 3),
    w: r.uniform([n], 0.2, 2) as tf.Tensor1D,
  };
}

describe('SparseCategoricalCrossentropy', () => {
  test('value on probabilities matches tfjs-layers categoricalCrossentropy of the one-hot labels', async () => {
    const { labels, oneHot, p, w } = data(1, 5, 4);
    const scce = new SparseCategoricalCrossentropy();
    const perExample = tfl.metrics.categoricalCrossentropy(oneHot, p);
    await expectTensorClose(scce.value(labels, p), sumOverBatch(perExample));
    await expectTensorClose(scce.value(labels, p, w), sumOverBatch(perExample, w));
  });

  test('value from logits matches tf.losses.softmaxCrossEntropy of the one-hot labels', async () => {
    const { labels, oneHot, z } = data(2, 5, 4);
    await expectTensorClose(
      new SparseCategoricalCrossentropy({ fromLogits: true }).value(labels, z),
      tf.losses.softmaxCrossEntropy(oneHot, z, undefined, 0, tf.Reduction.MEAN),
    );
  });

  test('takes labels of shape [N] or [N, 1], int32 or float32, alike', async () => {
    const { labels, z } = data(3, 4, 3);
    const scce = new SparseCategoricalCrossentropy({ fromLogits: true });
    const reference = scce.value(labels, z);
    for (const l of [
      tf.reshape(labels, [4, 1]),
      tf.cast(labels, 'float32'),
      tf.cast(tf.reshape(labels, [4, 1]), 'float32'),
    ]) {
      await expectTensorClose(scce.value(l, z), reference, 1e-6);
      await expectTensorClose(scce.grad(l, z), scce.grad(labels, z), 1e-6, 'grad');
    }
  });

  test('equals CategoricalCrossentropy on the one-hot labels, value and grad', async () => {
    const { labels, oneHot, p, z } = data(4, 4, 3);
    for (const [fromLogits, x] of [
      [false, p],
      [true, z],
    ] as const) {
      const sparse = new SparseCategoricalCrossentropy({ fromLogits });
      const dense = new CategoricalCrossentropy({ fromLogits });
      await expectTensorClose(sparse.value(labels, x), dense.value(oneHot, x), 1e-6);
      await expectTensorClose(sparse.grad(labels, x), dense.grad(oneHot, x), 1e-6, 'grad');
    }
  });

  forEachBackend(() => {
    test('value equals the hand-computed cross-entropy, on probabilities and logits', async () => {
      const labels = tf.tensor1d([1, 0], 'int32');
      const p = tf.tensor2d([
        [0.2, 0.8],
        [0.6, 0.4],
      ]);
      const want = [-(Math.log(0.8) + Math.log(0.6)) / 2];
      await expectTensorClose(new SparseCategoricalCrossentropy().value(labels, p), want);
      await expectTensorClose(new SparseCategoricalCrossentropy({ fromLogits: true }).value(labels, tf.log(p)), want);
    });

    test('grad matches autodiff and finite differences: probabilities, logits, weights', async () => {
      const { labels, p, z, w } = data(5, 3, 4);
      await expectLossGradients(new SparseCategoricalCrossentropy(), labels, p, { sampleWeight: w });
      await expectLossGradients(new SparseCategoricalCrossentropy({ fromLogits: true }), labels, z, {
        sampleWeight: w,
      });
    });

    test('fusedGrad with softmax equals the chain rule through softmax', async () => {
      const { labels, z, w } = data(6, 4, 3);
      const scce = new SparseCategoricalCrossentropy();
      const chain = tf.grad((zz: tf.Tensor) => scce.value(labels, tf.softmax(zz), w))(z);
      const fused = scce.fusedGrad('softmax', labels, tf.softmax(z), w);
      expect(fused).toBeDefined();
      await expectTensorClose(fused as tf.Tensor, chain, 1e-5, 'fused');
    });
  });

  test('fusedGrad is undefined for another activation or logits', () => {
    const { labels, p } = data(7, 2, 3);
    expect(new SparseCategoricalCrossentropy().fusedGrad('sigmoid', labels, p)).toBeUndefined();
    expect(new SparseCategoricalCrossentropy({ fromLogits: true }).fusedGrad('softmax', labels, p)).toBeUndefined();
  });

  test('leaks no tensor', async () => {
    const scce = new SparseCategoricalCrossentropy();
    const { labels, p } = data(8, 2, 3);
    await expectNoLeak(() =>
      tf.dispose([scce.value(labels, p), scce.grad(labels, p), scce.fusedGrad('softmax', labels, p) as tf.Tensor]),
    );
  });
});

describe('SparseCategoricalCrossentropy ignoreClass', () => {
  // Keras 3, keras/src/losses/losses_test.py, test_ignore_class: per position [[0, 1.480129]]; with Keras'
  // sum-over-batch reduction the masked position also leaves the mean (mask weight total/valid), so 1.480129.
  const logits = () =>
    tf.tensor3d([
      [
        [0.854, 0.698, 0.598],
        [0.088, 0.86, 0.018],
      ],
    ]);

  test('matches Keras: the ignored position adds nothing and leaves the mean, labels [N, T] or [N, T, 1]', async () => {
    const scce = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 });
    await expectTensorClose(scce.value(tf.tensor2d([[-1, 2]], [1, 2], 'int32'), logits()), [1.480129]);
    await expectTensorClose(scce.value(tf.tensor3d([[[-1], [2]]]), logits()), [1.480129]);
  });

  test('divides by the kept positions after weighting them: Σ kept w·l / #kept', async () => {
    const scce = new SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: 255 });
    const labels = tf.tensor2d([[0, 255, 2]], [1, 3], 'int32');
    const z = tf.tensor3d([
      [
        [1, 0.5, -1],
        [9, 9, 9],
        [0.2, 0.1, 2],
      ],
    ]);
    const plain = new SparseCategoricalCrossentropy({ fromLogits: true });
    const l0 = plain.value(tf.tensor2d([[0]], [1, 1], 'int32'), tf.slice(z, [0, 0, 0], [1, 1, 3]));
    const l2 = plain.value(tf.tensor2d([[2]], [1, 1], 'int32'), tf.slice(z, [0, 2, 0], [1, 1, 3]));
    const w = tf.tensor2d([[0.5, 7, 3]]);
    await expectTensorClose(scce.value(labels, z), tf.div(tf.add(l0, l2), 2));
    await expectTensorClose(scce.value(labels, z, w), tf.div(tf.add(tf.mul(0.5, l0), tf.mul(3, l2)), 2));
  });

  test('gives 0, not NaN, when every position is ignored, and a zero gradient', async () => {
    const scce = new SparseCategoricalCrossentropy({ ignoreClass: -1 });
    const labels = tf.tensor1d([-1, -1], 'int32');
    const p = tf.tensor2d([
      [0, 0],
      [0.3, 0.7],
    ]);
    await expectTensorClose(scce.value(labels, p), [0]);
    await expectTensorClose(scce.grad(labels, p), [0, 0, 0, 0]);
  });

  test('ignores an in-range class too, and stays finite where ignored predictions are all zero', async () => {
    const scce = new SparseCategoricalCrossentropy({ ignoreClass: 0 });
    const labels = tf.tensor1d([0, 1], 'int32');
    const p = tf.tensor2d([
      [0, 0],
      [0.4, 0.6],
    ]);
    await expectTensorClose(scce.value(labels, p), [-Math.log(0.6)]);
    // Kept row: d/dp of -log(p₁ / Σp) = 1/Σp - [c = 1]/p₁, over one kept position.
    await expectTensorClose(scce.grad(labels, p), [0, 0, 1, 1 - 1 / 0.6]);
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences with ignored positions and [N, T] weights', async () => {
      const r = new Random(9);
      const labels = tf.tensor2d([0, -1, 2, 1, -1, 0], [2, 3], 'int32');
      const z = r.uniform([2, 3, 3], -2, 2);
      const w = r.uniform([2, 3], 0.2, 2);
      const opts = { ignoreClass: -1 };
      await expectLossGradients(new SparseCategoricalCrossentropy({ ...opts, fromLogits: true }), labels, z);
      const p = r.uniform([2, 3, 3], 0.2, 1);
      await expectLossGradients(new SparseCategoricalCrossentropy(opts), labels, p, { sampleWeight: w });
    });

    test('fusedGrad with softmax equals the chain rule through softmax, ignored positions included', async () => {
      const labels = tf.tensor1d([1, 3, 0, 3], 'int32');
      const z = new Random(10).uniform([4, 3], -2, 2);
      const w = tf.tensor1d([1, 2, 0.5, 1]);
      const scce = new SparseCategoricalCrossentropy({ ignoreClass: 3 });
      const chain = tf.grad((zz: tf.Tensor) => scce.value(labels, tf.softmax(zz), w))(z);
      await expectTensorClose(scce.fusedGrad('softmax', labels, tf.softmax(z), w) as tf.Tensor, chain, 1e-5, 'fused');
    });
  });

  test('leaks no tensor', async () => {
    const scce = new SparseCategoricalCrossentropy({ ignoreClass: -1 });
    const labels = tf.tensor1d([-1, 1], 'int32');
    const p = tf.fill([2, 3], 1 / 3);
    await expectNoLeak(() =>
      tf.dispose([scce.value(labels, p), scce.grad(labels, p), scce.fusedGrad('softmax', labels, p) as tf.Tensor]),
    );
  });
});
