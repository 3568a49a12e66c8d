import { setSeed, useBackend } from '@brickml/core';
import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { GaussianNoise } from './gaussian-noise.js';

async function noiseOf(brick: GaussianNoise, x: tf.Tensor): Promise<Float32Array> {
  const { y } = brick.forward(x, { training: true });
  const d = tf.sub(y, x);
  const data = (await d.data()) as Float32Array;
  tf.dispose([y, d]);
  return data;
}

describeBrick('GaussianNoise', {
  brick: GaussianNoise,
  cases: [
    // gradCheck resets the global seed before every forward, so each forward draws the same noise.
    { title: 'in training', config: { stddev: 0.5 }, inputShape: [2, 3], training: true },
    { title: 'in inference', config: { stddev: 0.5 }, inputShape: [2, 3] },
  ],
  spec: [{ stddev: 0.1, seed: 3 }, { stddev: 0 }],
  errors: [
    {
      rejects: 'a stddev above 1, as Keras does',
      config: { name: 'g', stddev: 1.5 },
      message: "GaussianNoise 'g': stddev must be a number in [0, 1], received 1.5",
    },
    {
      rejects: 'a negative stddev',
      config: { name: 'g', stddev: -0.1 },
      message: "GaussianNoise 'g': stddev must be a number in [0, 1], received -0.1",
    },
    {
      rejects: 'a missing stddev',
      config: { name: 'g' } as never,
      message: "GaussianNoise 'g': stddev must be a number in [0, 1], received nothing",
    },
    {
      rejects: 'a seed that is not an integer',
      config: { name: 'g', stddev: 0.1, seed: 1.5 },
      message: "GaussianNoise 'g': seed must be an integer, received 1.5",
    },
  ],
});

describe('GaussianNoise', () => {
  forEachBackend(() => {
    test('is the identity in inference', async () => {
      const x = tf.tensor2d([[1, -2, 3, 0.5]]);
      const { y } = new GaussianNoise({ stddev: 1 }).forward(x, { training: false });
      expect(Array.from(await y.data())).toEqual([1, -2, 3, 0.5]);
      tf.dispose([x, y]);
    });
  });

  test('adds zero-mean noise of the given standard deviation in training', async () => {
    setSeed(6);
    const stddev = 0.3;
    const x = tf.randomUniform([100, 200], -1, 1, 'float32', 1);
    const e = await noiseOf(new GaussianNoise({ stddev }), x);
    const mean = e.reduce((a, b) => a + b, 0) / e.length;
    const sd = Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / e.length);
    // 20,000 draws: the mean's standard error is 0.002, the standard deviation's about 0.0015.
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sd - stddev)).toBeLessThan(0.01);
    x.dispose();
  });

  test('passes the gradient through unchanged, in training too', async () => {
    setSeed(2);
    const brick = new GaussianNoise({ stddev: 0.5 });
    const x = tf.ones([2, 3]);
    const dy = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const { y, cache } = brick.forward(x, { training: true });
    const { dx } = brick.backward(dy, cache);
    expect(Array.from(await dx.data())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([x, dy, y, dx]);
  });

  test('with a seed of its own, draws the same noise sequence whatever the global seed', async () => {
    const x = tf.zeros([4, 8]);
    const a = new GaussianNoise({ stddev: 0.2, seed: 42 });
    const b = new GaussianNoise({ stddev: 0.2, seed: 42 });
    setSeed(1);
    const a1 = await noiseOf(a, x);
    const a2 = await noiseOf(a, x);
    setSeed(2);
    expect(await noiseOf(b, x)).toEqual(a1);
    expect(await noiseOf(b, x)).toEqual(a2);
    expect(a2).not.toEqual(a1);
    x.dispose();
  });

  test('draws the same noise again after setSeed', async () => {
    const x = tf.zeros([4, 8]);
    const brick = new GaussianNoise({ stddev: 0.2 });
    setSeed(11);
    const first = await noiseOf(brick, x);
    setSeed(11);
    expect(await noiseOf(brick, x)).toEqual(first);
    x.dispose();
  });

  test('matches tfjs-layers gaussianNoise in inference on cpu (the identity)', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([3, 5], -1, 1, 'float32', 4);
    const ours = new GaussianNoise({ stddev: 0.4 }).forward(x, { training: false }).y;
    const theirs = tfl.layers.gaussianNoise({ stddev: 0.4 }).apply(x, { training: false }) as tf.Tensor;
    expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
    tf.dispose([x, ours, theirs]);
  });
});
