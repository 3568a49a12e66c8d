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
