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
import { describe, test } from 'vitest';
import { MeanSquaredError } from './mean-squared-error.js';

describe('MeanSquaredError', () => {
  test('value matches tfjs-layers meanSquaredError, with and without sample weights', async () => {
    const r = new Random(1);
    const [y, p, w] = [r.uniform([5, 3], -2, 2), r.uniform([5, 3], -2, 2), r.uniform([5], 0, 2)] as const;
    const mse = new MeanSquaredError();
    const perExample = tfl.metrics.meanSquaredError(y, p);
    await expectTensorClose(mse.value(y, p), sumOverBatch(perExample));
    await expectTensorClose(mse.value(y, p, w as tf.Tensor1D), sumOverBatch(perExample, w));
  });

  test('has no ½ in front, as in Keras: errors 1 and 3 give (1 + 9) / 2', async () => {
    await expectTensorClose(new MeanSquaredError().value(tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 3]])), [5]);
  });

  test('takes integer sample weights like float ones', async () => {
    const mse = new MeanSquaredError();
    const [y, p] = [tf.tensor2d([[0], [1]]), tf.tensor2d([[1], [3]])];
    await expectTensorClose(mse.value(y, p, tf.tensor1d([2, 1], 'int32')), mse.value(y, p, tf.tensor1d([2, 1])));
    await expectTensorClose(mse.value(y, p, tf.tensor1d([2, 1], 'int32')), [(2 * 1 + 1 * 4) / 2]);
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences, with sample weights', async () => {
      const r = new Random(2);
      const y = r.uniform([3, 4], -1, 1);
      const p = r.uniform([3, 4], -1, 1);
      await expectLossGradients(new MeanSquaredError(), y, p);
      await expectLossGradients(new MeanSquaredError(), y, p, { sampleWeight: tf.tensor1d([0.5, 2, 0]) });
    });
  });

  test('leaks no tensor', async () => {
    const mse = new MeanSquaredError();
    const y = tf.ones([2, 3]);
    const p = tf.zeros([2, 3]);
    await expectNoLeak(() => tf.dispose([mse.value(y, p), mse.grad(y, p), mse.fusedGrad('linear', y, p)]));
  });
});
