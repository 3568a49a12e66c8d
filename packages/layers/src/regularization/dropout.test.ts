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
    {
      title: 'in training with noiseShape [null, 1, null] (one mask for every step)',
      config: { rate: 0.4, noiseShape: [null, 1, null] },
      inputShape: [3, 4],
      training: true,
    },
    {
      title: 'in training with noiseShape [1, 3, 1] (one mask for the batch and features)',
      config: { rate: 0.4, noiseShape: [1, 3, 1] },
      inputShape: [3, 4],
      training: true,
    },
  ],
  spec: [{ rate: 0.25, seed: 7 }, { rate: 0 }, { rate: 0.5, noiseShape: [null, 1, 4] }],
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
      rejects: 'a noiseShape entry that is not a positive integer or null',
      config: { name: 'd', rate: 0.5, noiseShape: [null, 1.5] },
      message: "Dropout 'd': noiseShape[1] must be a positive integer or null, received 1.5",
    },
    {
      rejects: 'a noiseShape with another rank than the input, naming both',
      config: { name: 'd', rate: 0.5, noiseShape: [null, 1] },
      build: [3, 4],
      message: "Dropout 'd': noiseShape [null, 1] has 2 entries, the input [null, 3, 4] has 3 axes (batch included)",
    },
    {
      rejects: 'a noiseShape that does not broadcast to the input',
      config: { name: 'd', rate: 0.5, noiseShape: [null, 2, 4] },
      build: [3, 4],
      message:
        "Dropout 'd': noiseShape [null, 2, 4] does not broadcast to the input [null, 3, 4]: each entry must be null, 1 or the input's size on that axis",
    },
    {
      rejects: 'a noiseShape whose batch entry does not fit the batch, in training',
      run: () => {
        const dropout = new Dropout({ name: 'd', rate: 0.5, noiseShape: [4, 1, 1] });
        dropout.forward(tf.ones([2, 3, 4]), { training: true });
      },
      message:
        "Dropout 'd': noiseShape [4, 1, 1] does not broadcast to the input [2, 3, 4]: each entry must be null, 1 or the input's size on that axis",
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

  test('with noiseShape, draws the mask with that shape and broadcasts its 1s, as Keras', async () => {
    setSeed(9);
    const rate = 0.5;
    const dropout = new Dropout({ rate, noiseShape: [null, 1, null] });
    const x = tf.ones([3, 5, 8]);
    const { y, cache } = dropout.forward(x, { training: true });
    expect(cache.m?.shape).toEqual([3, 1, 8]);
    const v = (await y.array()) as number[][][];
    for (const example of v) {
      for (const step of example) expect(step).toEqual(example[0]);
    }
    const values = new Set(v.flat(2));
    expect([...values].sort()).toEqual([0, 2]);
    const dy = tf.randomUniform([3, 5, 8], -1, 1, 'float32', 2);
    const { dx } = dropout.backward(dy, cache);
    const expected = tf.mul(dy, y);
    expect(Array.from(await dx.data())).toEqual(Array.from(await expected.data()));
    tf.dispose([x, y, dy, dx, expected, cache.m as tf.Tensor]);
  });

  test('with noiseShape 1 on the batch, drops the same entries in every example', async () => {
    setSeed(4);
    const x = tf.ones([4, 6]);
    const { y, cache } = new Dropout({ rate: 0.5, noiseShape: [1, 6] }).forward(x, { training: true });
    const rows = (await y.array()) as number[][];
    for (const row of rows) expect(row).toEqual(rows[0]);
    expect(rows[0]).toContain(0);
    tf.dispose([x, y, cache.m as tf.Tensor]);
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
