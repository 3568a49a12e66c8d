/**
 * Parity with tfjs-layers' functional models (`tf.model`): the same two-input, two-output graph with a shared
 * Dense and a Concatenate, the same starting weights, the same batches. Losses per step and final weights
 * must match within float32 tolerance.
 */
import { setSeed } from '@brickml/core';
import { BatchNormalization, Concatenate, Dense, input } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { Model } from './model.js';

const STEPS = 20;

function ours(): Model {
  setSeed(31);
  const a = input({ shape: [3], name: 'a' });
  const b = input({ shape: [3], name: 'b' });
  const shared = new Dense({ units: 4, activation: 'tanh', name: 'shared' });
  const joined = new Concatenate({ name: 'joined' }).apply([shared.apply(a), shared.apply(b)]);
  const hidden = new Dense({ units: 5, activation: 'relu', name: 'hidden' }).apply(joined);
  const classes = new Dense({ units: 3, activation: 'softmax', name: 'classes' }).apply(hidden);
  const value = new Dense({ units: 2, name: 'value' }).apply(shared.apply(a));
  return new Model({ inputs: [a, b], outputs: [classes, value], name: 'ours' });
}

function theirs(): tfl.LayersModel {
  const a = tfl.input({ shape: [3], name: 'a' });
  const b = tfl.input({ shape: [3], name: 'b' });
  const shared = tfl.layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
  const joined = tfl.layers
    .concatenate({ name: 'joined' })
    .apply([shared.apply(a) as tfl.SymbolicTensor, shared.apply(b) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  const hidden = tfl.layers.dense({ units: 5, activation: 'relu', name: 'hidden' }).apply(joined) as tfl.SymbolicTensor;
  const classes = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'classes' }).apply(hidden);
  const value = tfl.layers.dense({ units: 2, name: 'value' }).apply(shared.apply(a) as tfl.SymbolicTensor);
  return tfl.model({ inputs: [a, b], outputs: [classes as tfl.SymbolicTensor, value as tfl.SymbolicTensor] });
}

function batch(step: number) {
  const n = 6;
  const wave = (k: number) =>
    tf.tensor2d(
      Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.3 + step * 0.7 + k)),
      [n, 3],
    );
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: n }, (_, i) => (i + step) % 3),
      'int32',
    ),
    3,
  );
  const targets = tf.tensor2d(
    Array.from({ length: n * 2 }, (_, i) => Math.cos(i + step)),
    [n, 2],
  );
  return { xs: [wave(0), wave(1)], ys: [labels, targets] };
}

async function compare(optimizer: 'sgd' | 'adam') {
  const a = ours();
  const b = theirs();
  expect(b.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name)).toEqual(
    a.layers.map((l) => l.name),
  );
  const initial = a.getWeights();
  b.setWeights(initial);
  tf.dispose(initial);
  a.compile({
    optimizer:
      optimizer === 'sgd'
        ? { className: 'SGD', config: { learningRate: 0.1 } }
        : { className: 'Adam', config: { learningRate: 0.01 } },
    loss: ['categoricalCrossentropy', 'meanSquaredError'],
  });
  // tfjs-layers 4.22 has no lossWeights (its compile ignores them), so both sum the two losses.
  b.compile({
    optimizer: optimizer === 'sgd' ? tf.train.sgd(0.1) : tf.train.adam(0.01, 0.9, 0.999, 1e-7),
    loss: ['categoricalCrossentropy', 'meanSquaredError'],
  });
  for (let step = 0; step < STEPS; step++) {
    const { xs, ys } = batch(step);
    const logs = await a.trainOnBatch(xs, ys);
    const theirLosses = (await b.trainOnBatch(xs, ys)) as number[];
    expect(logs.loss, `total loss at step ${step}`).toBeCloseTo(theirLosses[0] as number, 4);
    expect(logs.classes_loss, `classes loss at step ${step}`).toBeCloseTo(theirLosses[1] as number, 4);
    expect(logs.value_loss, `value loss at step ${step}`).toBeCloseTo(theirLosses[2] as number, 4);
    tf.dispose([...xs, ...ys]);
  }
  const wa = a.getWeights();
  const wb = b.getWeights();
  expect(wa.map((t) => t.shape)).toEqual(wb.map((t) => t.shape));
  for (let i = 0; i < wa.length; i++) {
    const [da, db] = await Promise.all([(wa[i] as tf.Tensor).data(), (wb[i] as tf.Tensor).data()]);
    da.forEach((v, k) => {
      expect(Math.abs(v - (db[k] as number)), `weight ${i}[${k}]`).toBeLessThan(2e-4);
    });
  }
  // tfjs-layers hands out its variables themselves: only ours are copies to dispose.
  tf.dispose(wa);
  a.dispose();
  b.dispose();
}

describe('functional parity with @tensorflow/tfjs-layers (cpu)', () => {
  test(`two inputs, two outputs, a shared Dense and a Concatenate: ${STEPS} SGD steps`, () => compare('sgd'));
  test(`the same graph: ${STEPS} Adam steps`, () => compare('adam'));
});

test('tfjsLayersWeightOrder maps Keras-order weights to tfjs-layers, BatchNormalization statistics last (cpu)', async () => {
  setSeed(41);
  const x = input({ shape: [3], name: 'x' });
  const h = new BatchNormalization({ name: 'bn' }).apply(new Dense({ units: 4, name: 'd1' }).apply(x));
  const out = new Dense({ units: 2, name: 'd2' }).apply(h);
  const ours = new Model({ inputs: x, outputs: out, name: 'ordered' });
  const tx = tfl.input({ shape: [3], name: 'x' });
  const th = tfl.layers
    .batchNormalization({ name: 'bn' })
    .apply(tfl.layers.dense({ units: 4, name: 'd1' }).apply(tx)) as tfl.SymbolicTensor;
  const theirs = tfl.model({
    inputs: tx,
    outputs: tfl.layers.dense({ units: 2, name: 'd2' }).apply(th) as tfl.SymbolicTensor,
  });
  // Moving statistics away from their initial values, so a wrong order cannot pass.
  const bn = ours.getLayer('bn') as BatchNormalization;
  bn.state.movingMean?.assign(tf.tensor1d([0.5, -0.2, 0.1, 0.3]));
  bn.state.movingVariance?.assign(tf.tensor1d([2, 0.5, 1.5, 0.8]));
  const weights = ours.getWeights();
  expect(ours.tfjsLayersWeightOrder()).toEqual([0, 1, 2, 3, 6, 7, 4, 5]);
  theirs.setWeights(ours.tfjsLayersWeightOrder().map((k) => weights[k] as tf.Tensor));
  const xs = tf.randomNormal([5, 3], 0, 1, 'float32', 4);
  const a = ours.predict(xs) as tf.Tensor;
  const b = theirs.predict(xs) as tf.Tensor;
  const [da, db] = [await a.data(), await b.data()];
  da.forEach((v, i) => {
    expect(Math.abs(v - (db[i] as number))).toBeLessThan(1e-5);
  });
  tf.dispose([xs, a, b, ...weights]);
  ours.dispose();
  theirs.dispose();
});
