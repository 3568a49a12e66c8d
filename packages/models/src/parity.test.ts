import { setSeed } from '@brickml/core';
import { Dense } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { Sequential } from './sequential.js';

type Act = 'tanh' | 'sigmoid' | 'relu' | 'softmax' | 'linear';

/** Same architecture in both libraries, tfjs-layers given our initial weights. */
async function compare(
  hidden: Act,
  out: Act,
  units: number,
  loss: 'categoricalCrossentropy' | 'meanSquaredError',
  l2 = 0,
) {
  setSeed(11);
  const ours = new Sequential({
    inputShape: [3],
    layers: [
      new Dense({
        units: 5,
        activation: hidden,
        ...(l2 && { kernelRegularizer: { className: 'L2', config: { l2 } } }),
      }),
      new Dense({ units, activation: out }),
    ],
  });
  const theirs = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 5,
        activation: hidden,
        inputShape: [3],
        ...(l2 && { kernelRegularizer: tfl.regularizers.l2({ l2 }) }),
      }),
      tfl.layers.dense({ units, activation: out }),
    ],
  });
  const initial = ours.getWeights();
  theirs.setWeights(initial);
  const before = await Promise.all(initial.map((t) => t.data()));
  tf.dispose(initial);

  const n = 8;
  const x = tf.tensor2d(
    Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.7)),
    [n, 3],
  );
  const y =
    loss === 'categoricalCrossentropy'
      ? tf.oneHot(
          tf.tensor1d(
            Array.from({ length: n }, (_, i) => i % units),
            'int32',
          ),
          units,
        )
      : tf.tensor2d(
          Array.from({ length: n * units }, (_, i) => Math.cos(i)),
          [n, units],
        );
  ours.compile({ optimizer: { className: 'SGD', config: { learningRate: 0.1 } }, loss });
  theirs.compile({ optimizer: tf.train.sgd(0.1), loss });
  // Five SGD steps: five epochs of one batch each, in the same order.
  await ours.fit(x, y, { epochs: 5, batchSize: n, shuffle: false, verbose: 0 });
  await theirs.fit(x, y, { epochs: 5, batchSize: n, shuffle: false, verbose: 0 });

  const a = ours.getWeights();
  const b = theirs.getWeights();
  expect(a.map((t) => t.shape)).toEqual(b.map((t) => t.shape));
  let moved = 0;
  for (let i = 0; i < a.length; i++) {
    const [da, db] = await Promise.all([(a[i] as tf.Tensor).data(), (b[i] as tf.Tensor).data()]);
    da.forEach((v, k) => {
      expect(Math.abs(v - (db[k] as number)), `weight ${i}[${k}]`).toBeLessThan(1e-4);
      moved = Math.max(moved, Math.abs(v - ((before[i] as ArrayLike<number>)[k] as number)));
    });
  }
  // Training moved the weights, so this compares five real steps, not two untouched copies.
  expect(moved).toBeGreaterThan(1e-2);
  tf.dispose([x, y, ...a]);
  ours.dispose();
  theirs.dispose();
}

describe('parity with @tensorflow/tfjs-layers (cpu)', () => {
  test('softmax + categorical cross-entropy (fused gradient), 5 SGD steps', () =>
    compare('tanh', 'softmax', 3, 'categoricalCrossentropy'));
  test('an L2 kernel penalty adds the same gradient, 5 SGD steps', () =>
    compare('relu', 'softmax', 3, 'categoricalCrossentropy', 0.05));
  test('sigmoid hidden + linear output with MSE, 5 SGD steps', () =>
    compare('sigmoid', 'linear', 2, 'meanSquaredError'));
});
