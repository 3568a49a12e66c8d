import { setSeed } from '@brickml/core';
import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Dropout } from './dropout.js';

async function trainingOutput(dropout: Dropout, x: tf.Tensor): Promise<Float32Array> {
  const { y } = dropout.forward(x, { training: true });
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

describeBrick('Dropout', {
  brick: Dropout,
  cases: [
    // gradCheck resets the global seed before every forward, so each forward draws the same mask.
    { title: 'in training', config: { rate: 0.4 }, inputShape: [6], training: true },
    { title: 'in inference', config: { rate: 0.4 }, inputShape: [6] },
  ],
  spec: [{ rate: 0.25, seed: 7 }, { rate: 0 }],
  errors: [
    {
      rejects: 'a rate of 1',
      config: { name: 'd', rate: 1 },
      message: "Dropout 'd': rate must be a number in [0, 1), received 1",
    },
    {
      rejects: 'a negative rate',
      config: { name: 'd', rate: -0.1 },
      message: "Dropout 'd': rate must be a number in [0, 1), received -0.1",
    },
    {
      rejects: 'a missing rate',
      config: { name: 'd' } as never,
      message: "Dropout 'd': rate must be a number in [0, 1), received nothing",
    },
    {
      rejects: 'a seed that is not an integer',
      config: { name: 'd', rate: 0.5, seed: 0.5 },
      message: "Dropout 'd': seed must be an integer, received 0.5",
    },
  ],
});

describe('Dropout', () => {
  forEachBackend(() => {
    test('is the identity in inference', async () => {
      const dropout = new Dropout({ rate: 0.9 });
      const x = tf.tensor2d([[1, -2, 3, 0.5]]);
      const { y } = dropout.forward(x, { training: false });
      expect(Array.from(await y.data())).toEqual([1, -2, 3, 0.5]);
      tf.dispose([x, y]);
    });
  });

  test('keeps about 1 - rate of the inputs, scaled by 1 / (1 - rate)', async () => {
    setSeed(3);
    const rate = 0.3;
    const x = tf.ones([100, 200]);
    const data = await trainingOutput(new Dropout({ rate }), x);
    let kept = 0;
    for (const v of data) {
      if (v !== 0) {
        kept++;
        expect(v).toBeCloseTo(1 / (1 - rate), 6);
      }
    }
    // 20,000 Bernoulli(0.7) draws: the standard deviation of the kept fraction is about 0.0032.
    expect(Math.abs(kept / data.length - (1 - rate))).toBeLessThan(0.015);
    x.dispose();
  });

  test('passes the gradient only where the input was kept, with the same scale', async () => {
    setSeed(5);
    const dropout = new Dropout({ rate: 0.5 });
    const x = tf.ones([4, 8]);
    const { y, cache } = dropout.forward(x, { training: true });
    const { dx } = dropout.backward(x, cache);
    expect(Array.from(await dx.data())).toEqual(Array.from(await y.data()));
    tf.dispose([x, y, dx, cache.m as tf.Tensor]);
  });

  test('draws the same masks again after setSeed', async () => {
    const x = tf.ones([4, 16]);
    const dropout = new Dropout({ rate: 0.5 });
    setSeed(11);
    const first = await trainingOutput(dropout, x);
    const second = await trainingOutput(dropout, x);
    setSeed(11);
    expect(await trainingOutput(dropout, x)).toEqual(first);
    expect(await trainingOutput(dropout, x)).toEqual(second);
    expect(second).not.toEqual(first);
    x.dispose();
  });

  test('with a seed of its own, draws the same mask sequence whatever the global seed', async () => {
    const x = tf.ones([4, 16]);
    const a = new Dropout({ rate: 0.5, seed: 42 });
    const b = new Dropout({ rate: 0.5, seed: 42 });
    setSeed(1);
    const a1 = await trainingOutput(a, x);
    const a2 = await trainingOutput(a, x);
    setSeed(2);
    expect(await trainingOutput(b, x)).toEqual(a1);
    expect(await trainingOutput(b, x)).toEqual(a2);
    expect(a2).not.toEqual(a1);
    x.dispose();
  });
});
