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

/**
 * float32 one-hot rows built in JS: in tfjs 4.22, wasm's OneHot ignores a float32 dtype and webgpu's
 * int32 → float32 cast feeds a later transpose raw int bits, so the test targets avoid both.
 */
function oneHot(labels: number[] | number[][], c: number): tf.Tensor {
  const shape = Array.isArray(labels[0]) ? [labels.length, (labels[0] as number[]).length] : [labels.length];
  const rows = (labels.flat() as number[]).flatMap((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0)));
  return tf.tensor(rows, [...shape, c], 'float32');
}

function data(seed: number, n: number, c: number) {
  const r = new Random(seed);
  return {
    y: oneHot(
      Array.from({ length: n }, () => r.int(c)),
      c,
    ),
    /** Positive, not normalized: Keras divides by the row sum first. */
    p: r.uniform([n, c], 0.2, 1),
    z: r.uniform([n, c], -3, 3),
    w: r.uniform([n], 0.2, 2) as tf.Tensor1D,
  };
}

describe('CategoricalCrossentropy', () => {
  test('value on probabilities matches tfjs-layers categoricalCrossentropy, with sample weights', async () => {
    const { y, p, w } = data(1, 5, 4);
    const cce = new CategoricalCrossentropy();
    const perExample = tfl.metrics.categoricalCrossentropy(y, p);
    await expectTensorClose(cce.value(y, p), sumOverBatch(perExample));
    await expectTensorClose(cce.value(y, p, w), sumOverBatch(perExample, w));
  });

  test('value from logits with label smoothing matches tf.losses.softmaxCrossEntropy', async () => {
    const { y, z, w } = data(2, 5, 4);
    const cce = new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2 });
    await expectTensorClose(cce.value(y, z), tf.losses.softmaxCrossEntropy(y, z, undefined, 0.2, tf.Reduction.MEAN));
    const sum = tf.losses.softmaxCrossEntropy(y, z, w, 0.2, tf.Reduction.SUM);
    await expectTensorClose(cce.value(y, z, w), tf.div(sum, 5));
  });

  test('label smoothing on probabilities mixes the targets with 1/C', async () => {
    const { y, p } = data(3, 4, 5);
    const smoothed = tf.add(tf.mul(y, 0.9), 0.1 / 5);
    await expectTensorClose(
      new CategoricalCrossentropy({ labelSmoothing: 0.1 }).value(y, p),
      sumOverBatch(tfl.metrics.categoricalCrossentropy(smoothed, p)),
    );
  });

  test('stays finite for huge logits (logSumExp form)', async () => {
    const cce = new CategoricalCrossentropy({ fromLogits: true });
    const y = tf.tensor2d([[0, 1, 0]]);
    const z = tf.tensor2d([[1000, 0, -1000]]);
    await expectTensorClose(cce.value(y, z), [1000]);
    await expectTensorClose(cce.grad(y, z), [1, -1, 0]);
  });

  test('axis 1 on [N, C, T] equals the default axis on the transposed [N, T, C]', async () => {
    const r = new Random(4);
    const p = r.uniform([2, 3, 4], 0.1, 1);
    const y = tf.transpose(
      oneHot(
        [
          [0, 2, 1, 1],
          [2, 2, 0, 1],
        ],
        3,
      ),
      [0, 2, 1],
    );
    const t = (x: tf.Tensor) => tf.transpose(x, [0, 2, 1]);
    for (const fromLogits of [false, true]) {
      const onAxis1 = new CategoricalCrossentropy({ axis: 1, fromLogits });
      const onLast = new CategoricalCrossentropy({ fromLogits });
      await expectTensorClose(onAxis1.value(y, p), onLast.value(t(y), t(p)));
      await expectTensorClose(onAxis1.grad(y, p), t(onLast.grad(t(y), t(p))), 1e-6, 'grad');
    }
  });

  forEachBackend(() => {
    test('value equals the hand-computed cross-entropy, on probabilities and logits', async () => {
      const y = tf.tensor2d([
        [0, 1],
        [1, 0],
      ]);
      const p = tf.tensor2d([
        [0.2, 0.8],
        [0.6, 0.4],
      ]);
      const want = [-(Math.log(0.8) + Math.log(0.6)) / 2];
      await expectTensorClose(new CategoricalCrossentropy().value(y, p), want);
      await expectTensorClose(new CategoricalCrossentropy({ fromLogits: true }).value(y, tf.log(p)), want);
    });

    test('grad matches autodiff and finite differences: probabilities, logits, smoothing, weights', async () => {
      const { y, p, z, w } = data(5, 3, 4);
      await expectLossGradients(new CategoricalCrossentropy(), y, p, { sampleWeight: w });
      await expectLossGradients(new CategoricalCrossentropy({ labelSmoothing: 0.1 }), y, p);
      await expectLossGradients(new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), y, z, {
        sampleWeight: w,
      });
    });

    test('grad on axis 1 of a rank-3 tensor matches autodiff and finite differences', async () => {
      const r = new Random(6);
      const y = tf.transpose(
        oneHot(
          [
            [0, 2],
            [1, 1],
          ],
          3,
        ),
        [0, 2, 1],
      );
      await expectLossGradients(new CategoricalCrossentropy({ axis: 1 }), y, r.uniform([2, 3, 2], 0.2, 1));
    });

    test('fusedGrad with softmax equals the chain rule through softmax', async () => {
      const { y, z, w } = data(7, 4, 3);
      const cce = new CategoricalCrossentropy({ labelSmoothing: 0.1 });
      const chain = tf.grad((zz: tf.Tensor) => cce.value(y, tf.softmax(zz), w))(z);
      const fused = cce.fusedGrad('softmax', y, tf.softmax(z), w);
      expect(fused).toBeDefined();
      await expectTensorClose(fused as tf.Tensor, chain, 1e-5, 'fused');
    });
  });

  test('fusedGrad is p - y, scaled by w/N', async () => {
    const y = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const p = tf.tensor2d([
      [0.25, 0.75],
      [0.5, 0.5],
    ]);
    const fused = new CategoricalCrossentropy().fusedGrad('softmax', y, p, tf.tensor1d([2, 1]));
    await expectTensorClose(fused as tf.Tensor, [0.25, -0.25, -0.25, 0.25]);
  });

  test('fusedGrad is undefined for another activation, logits, or a class axis that is not last', () => {
    const y = tf.tensor2d([[0, 1]]);
    const p = tf.tensor2d([[0.5, 0.5]]);
    expect(new CategoricalCrossentropy().fusedGrad('sigmoid', y, p)).toBeUndefined();
    expect(new CategoricalCrossentropy({ fromLogits: true }).fusedGrad('softmax', y, p)).toBeUndefined();
    expect(new CategoricalCrossentropy({ axis: 0 }).fusedGrad('softmax', y, p)).toBeUndefined();
  });

  test('leaks no tensor', async () => {
    const cce = new CategoricalCrossentropy({ labelSmoothing: 0.1 });
    const { y, p } = data(8, 2, 3);
    await expectNoLeak(() =>
      tf.dispose([cce.value(y, p), cce.grad(y, p), cce.fusedGrad('softmax', y, p) as tf.Tensor]),
    );
  });
});
