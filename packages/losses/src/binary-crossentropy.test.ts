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
import { BinaryCrossentropy } from './binary-crossentropy.js';

function data(seed: number, shape: [number, number]) {
  const r = new Random(seed);
  return {
    y: tf.cast(tf.greater(r.uniform(shape), 0.5), 'float32'),
    p: r.uniform(shape, 0.1, 0.9),
    z: r.uniform(shape, -3, 3),
    w: r.uniform([shape[0]], 0.2, 2) as tf.Tensor1D,
  };
}

describe('BinaryCrossentropy', () => {
  test('value on probabilities matches tfjs-layers binaryCrossentropy, with sample weights', async () => {
    const { y, p, w } = data(1, [5, 3]);
    const bce = new BinaryCrossentropy();
    const perExample = tfl.metrics.binaryCrossentropy(y, p);
    await expectTensorClose(bce.value(y, p), sumOverBatch(perExample));
    await expectTensorClose(bce.value(y, p, w), sumOverBatch(perExample, w));
  });

  test('label smoothing pulls targets toward ½ on both paths (tf.losses.sigmoidCrossEntropy, tfjs-layers)', async () => {
    const { y, p, z } = data(2, [5, 3]);
    const smoothed = tf.add(tf.mul(y, 0.8), 0.1);
    await expectTensorClose(
      new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }).value(y, z),
      tf.losses.sigmoidCrossEntropy(y, z, undefined, 0.2, tf.Reduction.MEAN),
    );
    await expectTensorClose(
      new BinaryCrossentropy({ labelSmoothing: 0.2 }).value(y, p),
      sumOverBatch(tfl.metrics.binaryCrossentropy(smoothed, p)),
    );
  });

  test('from logits equals the probability path on sigmoid(z) away from the clip', async () => {
    const { y, z } = data(3, [4, 2]);
    await expectTensorClose(
      new BinaryCrossentropy({ fromLogits: true }).value(y, z),
      new BinaryCrossentropy().value(y, tf.sigmoid(z)),
    );
  });

  test('stays finite for huge logits (softplus form)', async () => {
    const bce = new BinaryCrossentropy({ fromLogits: true });
    const y = tf.tensor2d([[1, 0, 1, 0]]);
    const z = tf.tensor2d([[200, -200, -200, 200]]);
    await expectTensorClose(bce.value(y, z), [(0 + 0 + 200 + 200) / 4]);
    await expectTensorClose(bce.grad(y, z), [0, 0, -0.25, 0.25]);
  });

  forEachBackend(() => {
    test('value equals the hand-computed cross-entropy, on probabilities and logits', async () => {
      const y = tf.tensor2d([[1, 0]]);
      const p = tf.tensor2d([[0.8, 0.4]]);
      const want = [-(Math.log(0.8) + Math.log(0.6)) / 2];
      await expectTensorClose(new BinaryCrossentropy().value(y, p), want);
      await expectTensorClose(
        new BinaryCrossentropy({ fromLogits: true }).value(y, tf.log(tf.div(p, tf.sub(1, p)))),
        want,
      );
    });

    test('grad matches autodiff and finite differences: probabilities, logits, smoothing, weights', async () => {
      const { y, p, z, w } = data(4, [3, 2]);
      await expectLossGradients(new BinaryCrossentropy(), y, p, { sampleWeight: w });
      await expectLossGradients(new BinaryCrossentropy({ labelSmoothing: 0.1 }), y, p);
      await expectLossGradients(new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), y, z, {
        sampleWeight: w,
      });
    });

    test('fusedGrad with sigmoid equals the chain rule through sigmoid', async () => {
      const { y, z, w } = data(5, [4, 3]);
      const bce = new BinaryCrossentropy({ labelSmoothing: 0.1 });
      const chain = tf.grad((zz: tf.Tensor) => bce.value(y, tf.sigmoid(zz), w))(z);
      const fused = bce.fusedGrad('sigmoid', y, tf.sigmoid(z), w);
      expect(fused).toBeDefined();
      await expectTensorClose(fused as tf.Tensor, chain, 1e-5, 'fused');
    });
  });

  test('fusedGrad ignores the clip: it differs from the chain rule only at saturated probabilities', async () => {
    const bce = new BinaryCrossentropy();
    const y = tf.tensor2d([[0, 1]]);
    const z = tf.tensor2d([[20, 0.5]]); // sigmoid(20) rounds to 1 in float32, past 1 - 1e-7
    const chain = tf.grad((zz: tf.Tensor) => bce.value(y, tf.sigmoid(zz)))(z);
    const fused = bce.fusedGrad('sigmoid', y, tf.sigmoid(z)) as tf.Tensor;
    const [c, f] = [await chain.data(), await fused.data()];
    expect(c[0]).toBe(0);
    expect(f[0]).toBeCloseTo(0.5, 6);
    expect(f[1]).toBeCloseTo(c[1] as number, 6);
  });

  test('fusedGrad is undefined for another activation or logits', () => {
    const y = tf.ones([2, 1]);
    const p = tf.fill([2, 1], 0.5);
    expect(new BinaryCrossentropy().fusedGrad('softmax', y, p)).toBeUndefined();
    expect(new BinaryCrossentropy({ fromLogits: true }).fusedGrad('sigmoid', y, p)).toBeUndefined();
  });

  test('leaks no tensor', async () => {
    const bce = new BinaryCrossentropy({ labelSmoothing: 0.1 });
    const y = tf.ones([2, 3]);
    const p = tf.fill([2, 3], 0.3);
    await expectNoLeak(() =>
      tf.dispose([bce.value(y, p), bce.grad(y, p), bce.fusedGrad('sigmoid', y, p) as tf.Tensor]),
    );
  });
});
