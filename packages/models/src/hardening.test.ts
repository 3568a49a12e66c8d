import { BrickError, setSeed } from '@brickml/core';
import { BatchNormalization, Dense, type Layer } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { TerminateOnNaN } from './callbacks/index.js';
import { Sequential } from './sequential.js';

function small(name: string, layers: Layer[] = [new Dense({ units: 2, activation: 'softmax' })]) {
  setSeed(5);
  const model = new Sequential({ name, inputShape: [3], layers });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
const x = () => tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 1], [4, 3]);
const y = () => tf.tensor2d([1, 0, 0, 1, 1, 0, 0, 1], [4, 2]);

describe('refused before any step', () => {
  test('an infinity in x or y', async () => {
    const model = small('inf');
    const bad = tf.tensor2d([1, 2, 3, Number.POSITIVE_INFINITY, 5, 6], [2, 3]);
    const yy = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    await expect(model.fit(bad, yy, { verbose: 0 })).rejects.toThrow(
      "Sequential 'inf'.fit: x must hold finite numbers, received 1 infinite value",
    );
    const badY = tf.tensor2d([1, Number.NEGATIVE_INFINITY, 0, 1], [2, 2]);
    await expect(model.evaluate(tf.ones([2, 3]), badY)).rejects.toThrow(
      "Sequential 'inf'.evaluate: y must hold finite numbers, received 1 infinite value",
    );
    tf.dispose([bad, yy, badY]);
    model.dispose();
  });

  test('no samples at all', async () => {
    const model = small('empty');
    const none = tf.zeros([0, 3]);
    const noY = tf.zeros([0, 2]);
    await expect(model.fit(none, noY, { verbose: 0 })).rejects.toThrow(
      "Sequential 'empty'.fit: x holds no samples (shape [0, 3]); give at least one",
    );
    await expect(model.evaluate(none, noY)).rejects.toThrowError(BrickError);
    tf.dispose([none, noY]);
    model.dispose();
  });

  test('a compile whose metric cannot be made changes nothing and leaves no tensor', () => {
    const model = new Sequential({ inputShape: [2], layers: [new Dense({ units: 1 })] });
    const before = tf.memory().numTensors;
    // @ts-expect-error: not a metric name
    expect(() => model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['f1'] })).toThrow("unknown metric 'f1'");
    expect(model.isCompiled).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const optimizer = model.optimizer;
    // @ts-expect-error: not a metric name
    expect(() => model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae', 'f1'] })).toThrow(BrickError);
    expect(model.optimizer).toBe(optimizer);
    expect(model.metrics.map((m) => m.name)).toEqual(['mae']);
    // mae's two sums and the count of an unweighted batch.
    expect(tf.memory().numTensors).toBe(before + 3);
    model.dispose();
  });

  test('an input shape with no axis', () => {
    expect(
      () => new Sequential({ name: 'scalar', inputShape: [], layers: [new Dense({ name: 'd0', units: 2 })] }),
    ).toThrow(
      "Sequential 'scalar': layer 0 Dense 'd0' cannot take [null] from the model input: Dense 'd0': input must have a feature axis, received a scalar per example",
    );
  });
});

test('a skipped NaN batch leaves the moving statistics of the last good batch', async () => {
  const model = small('bn', [new BatchNormalization({ name: 'bn_1' }), new Dense({ units: 2, activation: 'softmax' })]);
  const good = x();
  const labels = y();
  await model.fit(good, labels, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
  const bn = model.layers[0] as BatchNormalization;
  const before = await Promise.all([bn.state.movingMean?.data(), bn.state.movingVariance?.data()]);
  // A kernel so large that the softmax overflows: the loss is NaN and TerminateOnNaN skips the batch.
  const dense = model.layers[1] as Dense;
  const huge = tf.fill(dense.params.kernel.shape, 1e38);
  dense.params.kernel.assign(huge);
  await model.fit(good, labels, {
    epochs: 1,
    batchSize: 4,
    shuffle: false,
    verbose: 0,
    callbacks: [new TerminateOnNaN()],
  });
  const after = await Promise.all([bn.state.movingMean?.data(), bn.state.movingVariance?.data()]);
  expect(after).toEqual(before);
  tf.dispose([good, labels, huge]);
  model.dispose();
});

test('a second fit, evaluate or trainOnBatch while one runs is refused by name', async () => {
  const model = small('busy');
  const [a, b] = [x(), y()];
  const running = model.fit(a, b, { epochs: 3, batchSize: 1, verbose: 0 });
  await expect(model.evaluate(a, b)).rejects.toThrow(
    "Sequential 'busy'.evaluate: the model is running fit; await it before calling fit, evaluate or trainOnBatch again",
  );
  await expect(model.fit(a, b, { verbose: 0 })).rejects.toThrowError(BrickError);
  await running;
  await expect(model.evaluate(a, b)).resolves.toHaveProperty('loss');
  tf.dispose([a, b]);
  model.dispose();
});

test('dispose gives back every tensor the model made, metrics and optimizer included', async () => {
  const [a, b] = [x(), y()];
  const before = tf.memory().numTensors;
  const model = small('freed', [new BatchNormalization(), new Dense({ units: 2, activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy', 'auc', 'precision'] });
  await model.fit(a, b, { epochs: 2, batchSize: 2, verbose: 0, validationSplit: 0.5 });
  await model.evaluate(a, b);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([a, b]);
});
