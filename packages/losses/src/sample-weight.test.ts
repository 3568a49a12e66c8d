import { Random } from '@brickml/core';
import { expectKerasClose, expectLossGradients, expectTensorClose, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { sampleWeightShape } from './base.js';
import { BinaryCrossentropy } from './binary-crossentropy.js';
import { CategoricalCrossentropy } from './categorical-crossentropy.js';
import { Hinge } from './hinge.js';
import { Huber } from './huber.js';
import type { Loss } from './loss.js';
import { MeanAbsoluteError } from './mean-absolute-error.js';
import { MeanSquaredError } from './mean-squared-error.js';
import { lossFromSpec } from './registry.js';
import { SparseCategoricalCrossentropy } from './sparse-categorical-crossentropy.js';

// Golden values from Keras 3, keras/src/losses/losses_test.py (test_scalar_weighted, test_sample_weighted,
// test_timestep_weighted, test_zero_weighted of each loss): same inputs, same expected values. Values Keras
// states rounded are held to its own criterion (expectKerasClose); values it computes (Huber) to 1e-5.
const regression = () => ({
  y: tf.tensor2d([1, 9, 2, -5, -2, 6], [2, 3]),
  p: tf.tensor2d([4, 8, 12, 8, 1, 3], [2, 3]),
});
const timestep = () => tf.tensor2d([3, 6, 5, 0, 4, 2], [2, 3]);
const seq = (t: tf.Tensor) => tf.reshape(t, [2, 3, 1]);

describe('sampleWeight matches Keras', () => {
  test('MeanSquaredError: scalar, [N, 1], [N, T] per time step, zero', async () => {
    const { y, p } = regression();
    const mse = new MeanSquaredError();
    await expectTensorClose(mse.value(y, p, tf.scalar(2.3)), [113.85]);
    await expectTensorClose(mse.value(y, p, tf.tensor2d([[1.2], [3.4]])), [767.8 / 6]);
    await expectTensorClose(mse.value(seq(y), seq(p), timestep()), [97.833336]);
    await expectTensorClose(mse.value(y, p, tf.scalar(0)), [0]);
  });

  test('MeanAbsoluteError: scalar, [N, 1], [N, T] per time step, zero', async () => {
    const { y, p } = regression();
    const mae = new MeanAbsoluteError();
    await expectTensorClose(mae.value(y, p, tf.scalar(2.3)), [12.65]);
    await expectTensorClose(mae.value(y, p, tf.tensor2d([[1.2], [3.4]])), [81.4 / 6]);
    await expectTensorClose(mae.value(seq(y), seq(p), timestep()), [13.833333]);
    await expectTensorClose(mae.value(y, p, tf.scalar(0)), [0]);
  });

  test('Huber: scalar, [N, 1], [N, T, 1] per time step (Σ w·h / 6)', async () => {
    const y = tf.tensor2d([1, 0, 1, 1, 0, 0], [2, 3]);
    const p = tf.tensor2d([0.9, 0.2, 0.2, 0.8, 0.4, 0.6], [2, 3]);
    const huber = new Huber();
    await expectTensorClose(huber.value(y, p), [0.1041667]);
    await expectTensorClose(huber.value(y, p, tf.scalar(2.3)), [0.2395833]);
    await expectTensorClose(huber.value(y, p, tf.tensor2d([[1.2], [3.4]])), [0.2276667]);
    await expectTensorClose(huber.value(seq(y), seq(p), tf.reshape(timestep(), [2, 3, 1])), [0.4025]);
  });

  test('BinaryCrossentropy: scalar and [N, 1] on probabilities, [N] and scalar on logits', async () => {
    const y = tf.tensor2d([1, 0, 1, 0], [2, 2]);
    const p = tf.tensor2d([1, 1, 1, 0], [2, 2]);
    await expectKerasClose(new BinaryCrossentropy().value(y, p, tf.scalar(2.3)), [9.1668]);
    await expectKerasClose(new BinaryCrossentropy().value(y, p, tf.tensor2d([[1.2], [3.4]])), [4.7827]);
    const yl = tf.tensor2d([1, 0, 1, 0, 1, 1], [2, 3]);
    const z = tf.tensor2d([10, -10, 10, 10, 10, -10], [2, 3]);
    const bce = new BinaryCrossentropy({ fromLogits: true });
    await expectKerasClose(bce.value(yl, z, tf.tensor1d([4, 3])), [10]);
    await expectKerasClose(bce.value(yl, z, tf.scalar(2.3)), [7.666]);
  });

  test('CategoricalCrossentropy and SparseCategoricalCrossentropy: scalar and [N, 1]', async () => {
    const oneHot = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);
    const labels = tf.tensor2d([[0], [1], [2]], [3, 1], 'int32');
    const p = tf.tensor2d([0.9, 0.05, 0.05, 0.5, 0.89, 0.6, 0.05, 0.01, 0.94], [3, 3]);
    const z = tf.tensor2d([8, 1, 1, 0, 9, 1, 2, 3, 5], [3, 3]);
    const w = tf.tensor2d([[1.2], [3.4], [5.6]]);
    for (const [loss, y] of [
      [CategoricalCrossentropy, oneHot],
      [SparseCategoricalCrossentropy, labels],
    ] as const) {
      await expectKerasClose(new loss().value(y, p, tf.scalar(2.3)), [0.7449]);
      await expectKerasClose(new loss({ fromLogits: true }).value(y, z, tf.scalar(2.3)), [0.1317]);
      await expectKerasClose(new loss().value(y, p, w), [1.0696]);
      await expectKerasClose(new loss({ fromLogits: true }).value(y, z, w), [0.31829]);
    }
  });

  test('Hinge: 1.3 unweighted, 0.55 with weights [1, 0], 0 with weight 0', async () => {
    const y = tf.tensor2d([0, 1, 0, 0], [2, 2]);
    const p = tf.tensor2d([0.6, 0.4, 0.4, 0.6], [2, 2]);
    await expectKerasClose(new Hinge().value(y, p), [1.3]);
    await expectKerasClose(new Hinge().value(y, p, tf.tensor1d([1, 0])), [0.55]);
    await expectTensorClose(new Hinge().value(y, p, tf.scalar(0)), [0]);
  });
});

/** Every built-in loss with targets and predictions of shape [N, T, C] (sparse: labels [N, T]). */
function sequenceCases(seed: number): { loss: Loss; y: tf.Tensor; p: tf.Tensor }[] {
  const r = new Random(seed);
  const shape = [2, 3, 2];
  const probs = r.uniform(shape, 0.15, 0.85);
  const unit = tf.tidy(() => tf.div(probs, tf.sum(probs, -1, true)));
  const signs = tf.tensor3d([1, -1, -1, 1, 1, 1, -1, -1, 1, -1, -1, 1], [2, 3, 2]);
  const oneHot = tf.tensor3d([1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1], [2, 3, 2]);
  const labels = tf.tensor2d([0, 1, 1, 0, 0, 1], [2, 3], 'int32');
  const real = () => r.uniform(shape, -1.5, 1.5);
  return [
    { loss: lossFromSpec('mse'), y: real(), p: real() },
    { loss: lossFromSpec('mae'), y: real(), p: real() },
    { loss: lossFromSpec('huber'), y: real(), p: real() },
    { loss: lossFromSpec('binaryCrossentropy'), y: oneHot, p: probs },
    { loss: lossFromSpec('categoricalCrossentropy'), y: oneHot, p: unit },
    { loss: lossFromSpec('sparseCategoricalCrossentropy'), y: labels, p: unit },
    { loss: lossFromSpec('hinge'), y: signs, p: tf.mul(real(), 0.5) },
    { loss: lossFromSpec('kld'), y: unit, p: probs },
    { loss: lossFromSpec('poisson'), y: tf.round(tf.mul(probs, 4)), p: tf.add(probs, 0.5) },
    { loss: lossFromSpec('log_cosh'), y: real(), p: real() },
    {
      loss: lossFromSpec('categorical_hinge'),
      y: oneHot,
      p: tf.tensor3d([0.9, 0.1, 0.2, 1.3, 0.3, 0.6, 1.1, 0.5, 0.2, 0.7, 0.4, 0.2], [2, 3, 2]),
    },
    { loss: lossFromSpec('squared_hinge'), y: signs, p: real() },
    { loss: lossFromSpec('cosine_similarity'), y: real(), p: real() },
  ];
}

/** lₖ of one position (n, t): the loss of that slice alone, a batch of one position. */
function positionLoss(loss: Loss, y: tf.Tensor, p: tf.Tensor, n: number, t: number): tf.Scalar {
  const yk = y.rank === 3 ? tf.slice(y, [n, t, 0], [1, 1, -1]) : tf.slice(y, [n, t], [1, 1]);
  return loss.value(yk, tf.slice(p, [n, t, 0], [1, 1, -1]));
}

describe('sampleWeight in every loss', () => {
  test('reads a scalar, [N], [N, 1], [N, T] and [N, T, 1] as Keras does: Σ wₖ·lₖ / (N·T)', async () => {
    const w = tf.tensor2d([0.5, 2, 0, 1.5, 1, 3], [2, 3]);
    const wn = tf.tensor1d([0.5, 2]);
    for (const { loss, y, p } of sequenceCases(1)) {
      const l = tf.stack([0, 1].flatMap((n) => [0, 1, 2].map((t) => positionLoss(loss, y, p, n, t))));
      const per = (weights: tf.Tensor) => tf.div(tf.sum(tf.mul(l, tf.reshape(weights, [6]))), 6);
      const who = loss.className;
      await expectTensorClose(loss.value(y, p), per(tf.ones([6])), 1e-5, `${who} unweighted`);
      await expectTensorClose(loss.value(y, p, tf.scalar(2.5)), per(tf.fill([6], 2.5)), 1e-5, `${who} scalar`);
      const perExample = tf.tile(tf.reshape(wn, [2, 1]), [1, 3]);
      await expectTensorClose(loss.value(y, p, wn), per(perExample), 1e-5, `${who} [N]`);
      await expectTensorClose(loss.value(y, p, tf.reshape(wn, [2, 1])), per(perExample), 1e-5, `${who} [N, 1]`);
      await expectTensorClose(loss.value(y, p, w), per(w), 1e-5, `${who} [N, T]`);
      await expectTensorClose(loss.value(y, p, tf.reshape(w, [2, 3, 1])), per(w), 1e-5, `${who} [N, T, 1]`);
    }
  });

  test('sampleWeightShape lists what broadcasts over the per-position losses, and refuses the rest', () => {
    expect(sampleWeightShape([], [4])).toEqual([1]);
    expect(sampleWeightShape([4], [4])).toEqual([4]);
    expect(sampleWeightShape([4, 1], [4])).toEqual([4]);
    expect(sampleWeightShape([4], [4, 5])).toEqual([4, 1]);
    expect(sampleWeightShape([4, 1], [4, 5])).toEqual([4, 1]);
    expect(sampleWeightShape([4, 5], [4, 5])).toEqual([4, 5]);
    expect(sampleWeightShape([4, 5, 1], [4, 5])).toEqual([4, 5]);
    expect(sampleWeightShape([3], [4])).toBeNull();
    expect(sampleWeightShape([4, 2], [4, 5])).toBeNull();
    expect(sampleWeightShape([4, 5, 2], [4, 5])).toBeNull();
    expect(sampleWeightShape([4, 1, 1], [4])).toBeNull();
  });

  forEachBackend(() => {
    test('value and grad agree for [N, T] weights in every loss (autodiff and finite differences)', async () => {
      const w = tf.tensor2d([0.5, 2, 0, 1.5, 1, 3], [2, 3]);
      for (const { loss, y, p } of sequenceCases(2)) {
        await expectLossGradients(loss, y, p, { sampleWeight: w });
      }
    });

    test('value and grad agree for scalar and [N, 1] weights', async () => {
      for (const { loss, y, p } of sequenceCases(3).slice(0, 7)) {
        await expectLossGradients(loss, y, p, { sampleWeight: tf.scalar(1.5) });
        await expectLossGradients(loss, y, p, { sampleWeight: tf.tensor2d([[0.5], [2]]) });
      }
    });
  });
});
