import { BrickError, setSeed } from '@brickml/core';
import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Dropout } from './dropout.js';

async function trainingOutput(dropout: Dropout, x: tf.Tensor): Promise<Float32Array> {
  const { y } = dropout.forward(x, { training: true });
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

describe('Dropout', () => {
  forEachBackend(() => {
    test('backward in training matches autodiff and finite differences', async () => {
      // gradCheck resets the global seed before every forward, so each forward draws the same mask.
      const dropout = new Dropout({ rate: 0.4 });
      await expectBackwardMatchesAutodiff(dropout, [6], { training: true });
      await expectFiniteDifferences(dropout, [6], { training: true });
    });

    test('backward in inference matches autodiff and finite differences', async () => {
      const dropout = new Dropout({ rate: 0.4 });
      await expectBackwardMatchesAutodiff(dropout, [6]);
      await expectFiniteDifferences(dropout, [6]);
    });

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

  test('leaks no tensor through forward and backward', async () => {
    const x = tf.ones([2, 4]);
    const dy = tf.ones([2, 4]);
    for (const training of [true, false]) {
      const dropout = new Dropout({ rate: 0.5 });
      await expectNoLeak(() => {
        tf.tidy(() => {
          dropout.backward(dy, dropout.forward(x, { training }).cache);
        });
      });
    }
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new Dropout({ rate: 0.25, seed: 7 }));
    expectSpecRoundTrip(new Dropout({ rate: 0 }));
  });

  test('rejects a rate outside [0, 1) with a named error', () => {
    expect(() => new Dropout({ name: 'd', rate: 1 })).toThrowError(BrickError);
    expect(() => new Dropout({ name: 'd', rate: 1 })).toThrow(
      "Dropout 'd': rate must be a number in [0, 1), received 1",
    );
    expect(() => new Dropout({ name: 'd', rate: -0.1 })).toThrow(
      "Dropout 'd': rate must be a number in [0, 1), received -0.1",
    );
    expect(() => new Dropout({ name: 'd' } as never)).toThrow(
      "Dropout 'd': rate must be a number in [0, 1), received nothing",
    );
    expect(() => new Dropout({ name: 'd', rate: 0.5, seed: 0.5 })).toThrow(
      "Dropout 'd': seed must be an integer, received 0.5",
    );
  });
});
