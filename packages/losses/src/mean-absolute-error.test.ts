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
import { MeanAbsoluteError } from './mean-absolute-error.js';

/** Predictions y + d with |d| in [0.1, 1]: off the kink at p = y. */
function offKink(seed: number, shape: [number, number]) {
  const r = new Random(seed);
  const y = r.uniform(shape, -1, 1);
  const sign = tf.sign(r.uniform(shape, -1, 1));
  return { y, p: tf.add(y, tf.mul(sign, r.uniform(shape, 0.1, 1))) };
}

describe('MeanAbsoluteError', () => {
  test('value matches tfjs-layers meanAbsoluteError, with and without sample weights', async () => {
    const r = new Random(1);
    const [y, p, w] = [r.uniform([5, 3], -2, 2), r.uniform([5, 3], -2, 2), r.uniform([5], 0, 2)] as const;
    const mae = new MeanAbsoluteError();
    const perExample = tfl.metrics.meanAbsoluteError(y, p);
    await expectTensorClose(mae.value(y, p), sumOverBatch(perExample));
    await expectTensorClose(mae.value(y, p, w as tf.Tensor1D), sumOverBatch(perExample, w));
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences, with sample weights', async () => {
      const { y, p } = offKink(2, [3, 4]);
      await expectLossGradients(new MeanAbsoluteError(), y, p);
      await expectLossGradients(new MeanAbsoluteError(), y, p, { sampleWeight: tf.tensor1d([0.5, 2, 0]) });
    });
  });

  test('leaks no tensor', async () => {
    const mae = new MeanAbsoluteError();
    const y = tf.ones([2, 3]);
    const p = tf.zeros([2, 3]);
    await expectNoLeak(() => tf.dispose([mae.value(y, p), mae.grad(y, p)]));
  });
});
