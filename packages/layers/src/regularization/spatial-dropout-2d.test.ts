import { setSeed } from '@brickml/core';
import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { SpatialDropout2D } from './spatial-dropout-2d.js';

async function trainingOutput(drop: SpatialDropout2D, x: tf.Tensor): Promise<number[][][][]> {
  const { y } = drop.forward(x, { training: true });
  const v = (await y.array()) as number[][][][];
  y.dispose();
  return v;
}

/** Per example and channel: the value every pixel of that map holds (all pixels must agree). */
function channelValues(v: number[][][][]): number[][] {
  return v.map((example) => {
    const first = example[0]?.[0] as number[];
    for (const row of example) for (const pixel of row) expect(pixel).toEqual(first);
    return first;
  });
}

describeBrick('SpatialDropout2D', {
  brick: SpatialDropout2D,
  cases: [
    // gradCheck resets the global seed before every forward, so each forward draws the same mask.
    { title: 'in training', config: { rate: 0.5 }, inputShape: [3, 3, 4], training: true },
    { title: 'in inference', config: { rate: 0.5 }, inputShape: [3, 3, 4] },
  ],
  spec: [{ rate: 0.3, seed: 5 }, { rate: 0 }],
  errors: [
    {
      rejects: 'a rate of 1',
      config: { name: 's', rate: 1 },
      message: "SpatialDropout2D 's': rate must be a number in [0, 1), received 1",
    },
    {
      rejects: 'an input without height, width and channels',
      config: { name: 's', rate: 0.5 },
      build: [4, 4],
      message: "SpatialDropout2D 's': input must have shape [null, height, width, channels], received [null, 4, 4]",
    },
  ],
});

describe('SpatialDropout2D', () => {
  forEachBackend(() => {
    test('is the identity in inference', async () => {
      const x = tf.tensor4d([1, -2, 3, 0.5], [1, 1, 2, 2]);
      const { y } = new SpatialDropout2D({ rate: 0.9 }).forward(x, { training: false });
      expect(Array.from(await y.data())).toEqual([1, -2, 3, 0.5]);
      tf.dispose([x, y]);
    });
  });

  test('drops whole feature maps: noise shape [batch, 1, 1, channels]', async () => {
    setSeed(3);
    const rate = 0.4;
    const x = tf.ones([50, 3, 2, 20]);
    const drop = new SpatialDropout2D({ rate });
    const { y, cache } = drop.forward(x, { training: true });
    expect(cache.m?.shape).toEqual([50, 1, 1, 20]);
    const maps = channelValues((await y.array()) as number[][][][]).flat();
    const kept = maps.filter((v) => v !== 0);
    for (const v of kept) expect(v).toBeCloseTo(1 / (1 - rate), 6);
    // 1,000 Bernoulli(0.6) maps: the standard deviation of the kept fraction is about 0.015.
    expect(Math.abs(kept.length / maps.length - (1 - rate))).toBeLessThan(0.06);
    tf.dispose([x, y, cache.m as tf.Tensor]);
  });

  test('passes the gradient through the kept maps only, with the mask of the forward pass', async () => {
    setSeed(8);
    const drop = new SpatialDropout2D({ rate: 0.5 });
    const x = tf.ones([3, 2, 2, 6]);
    const { y, cache } = drop.forward(x, { training: true });
    const { dx } = drop.backward(x, cache);
    expect(Array.from(await dx.data())).toEqual(Array.from(await y.data()));
    tf.dispose([x, y, dx, cache.m as tf.Tensor]);
  });

  test('with a seed of its own, draws the same mask sequence whatever the global seed', async () => {
    const x = tf.ones([4, 2, 2, 8]);
    const a = new SpatialDropout2D({ rate: 0.5, seed: 42 });
    const b = new SpatialDropout2D({ rate: 0.5, seed: 42 });
    setSeed(1);
    const a1 = await trainingOutput(a, x);
    const a2 = await trainingOutput(a, x);
    setSeed(2);
    expect(await trainingOutput(b, x)).toEqual(a1);
    expect(await trainingOutput(b, x)).toEqual(a2);
    expect(a2).not.toEqual(a1);
    x.dispose();
  });

  test('draws the same masks again after setSeed', async () => {
    const x = tf.ones([4, 2, 2, 8]);
    const drop = new SpatialDropout2D({ rate: 0.5 });
    setSeed(11);
    const first = await trainingOutput(drop, x);
    setSeed(11);
    expect(await trainingOutput(drop, x)).toEqual(first);
    x.dispose();
  });
});
