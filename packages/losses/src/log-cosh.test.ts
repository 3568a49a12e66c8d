import { Random } from '@brickml/core';
import { expectLossGradients, expectNoLeak, expectTensorClose, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, test } from 'vitest';
import { LogCosh } from './log-cosh.js';

// Keras 3, keras/src/losses/losses_test.py, LogCoshTest: expected values are Σ log cosh(p - y) / (N·C).
const kerasData = () => ({
  y: tf.tensor2d([1, 9, 2, -5, -2, 6], [2, 3]),
  p: tf.tensor2d([4, 8, 12, 8, 1, 3], [2, 3]),
});

describe('LogCosh', () => {
  test("gives Keras' docstring value: log_cosh([[0, 1], [0, 0]], [[1, 1], [0, 0]]) = 0.108", async () => {
    const value = new LogCosh().value(tf.tensor2d([0, 1, 0, 0], [2, 2]), tf.tensor2d([1, 1, 0, 0], [2, 2]));
    await expectTensorClose(value, [0.1084452]);
  });

  test('matches Keras: unweighted, scalar, [N] and zero weights', async () => {
    const { y, p } = kerasData();
    const logCosh = new LogCosh();
    await expectTensorClose(logCosh.value(y, p), [4.8292453]);
    await expectTensorClose(logCosh.value(y, p, tf.scalar(2.3)), [11.1072643]);
    await expectTensorClose(logCosh.value(y, p, tf.tensor1d([1.2, 3.4])), [12.0011147]);
    await expectTensorClose(logCosh.value(y, p, tf.scalar(0)), [0]);
  });

  test('matches Keras per time step: [N, T, 1] weights on [N, T, 1]', async () => {
    const { y, p } = kerasData();
    const w = tf.tensor3d([3, 6, 5, 0, 4, 2], [2, 3, 1]);
    await expectTensorClose(new LogCosh().value(tf.reshape(y, [2, 3, 1]), tf.reshape(p, [2, 3, 1]), w), [11.6534843]);
  });

  test('stays finite for huge errors: log cosh(e) = |e| - log 2', async () => {
    const logCosh = new LogCosh();
    const y = tf.tensor2d([[0, 0]]);
    const p = tf.tensor2d([[200, -300]]);
    await expectTensorClose(logCosh.value(y, p), [(200 + 300) / 2 - Math.LN2]);
    await expectTensorClose(logCosh.grad(y, p), [0.5, -0.5]);
  });

  forEachBackend(() => {
    test('grad matches autodiff and finite differences, with sample weights', async () => {
      const r = new Random(3);
      const y = r.uniform([3, 4], -2, 2);
      const p = r.uniform([3, 4], -2, 2);
      await expectLossGradients(new LogCosh(), y, p, { sampleWeight: r.uniform([3, 1], 0.2, 2) });
      await expectLossGradients(new LogCosh(), tf.reshape(y, [3, 2, 2]), tf.reshape(p, [3, 2, 2]), {
        sampleWeight: r.uniform([3, 2], 0, 2),
      });
    });
  });

  test('leaks no tensor', async () => {
    const logCosh = new LogCosh();
    const { y, p } = kerasData();
    await expectNoLeak(() => tf.dispose([logCosh.value(y, p), logCosh.grad(y, p)]));
  });
});
