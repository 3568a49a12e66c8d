import { routeToFirstMax, useBackend } from '@brickml/core';
import { describeBrick, forEachBackend, maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { windowShape } from '../convolutional/conv-utils.js';
import { MaxPooling2D, routeToMaxByViews } from './max-pooling-2d.js';
import { routeToMaxInTiles } from './pool-tiles.js';

/** A small step keeps each window's argmax where it is. */
const epsilon = 1e-3;

describeBrick('MaxPooling2D', {
  brick: MaxPooling2D,
  cases: [
    { title: '(2x2 valid, odd size: tiles)', config: {}, inputShape: [5, 5, 2], epsilon },
    {
      title: '(2x2 same, odd size: tiles)',
      config: { padding: 'same' },
      inputShape: [5, 3, 2],
      epsilon,
      // Its edge windows hold two cells, often both negative.
      skipAutodiff: {
        on: ['wasm'],
        because: "wasm's MaxPoolGrad gives no gradient to a window whose maximum is negative",
      },
    },
    { title: '([3, 2] valid, remainders: tiles)', config: { poolSize: [3, 2] }, inputShape: [7, 5, 2], epsilon },
    {
      title: '(3x3 stride 2 same)',
      config: { poolSize: 3, strides: 2, padding: 'same' },
      inputShape: [5, 5, 2],
      epsilon,
    },
    {
      title: '([2, 3] stride 1 valid, overlapping)',
      config: { poolSize: [2, 3], strides: 1 },
      inputShape: [5, 5, 2],
      epsilon,
    },
  ],
  spec: [{ poolSize: [2, 3], strides: 1, padding: 'same' }],
  errors: [
    {
      rejects: 'a pool that leaves an empty output, naming the shapes',
      config: { name: 'p', poolSize: 3 },
      build: [2, 8, 1],
      message:
        "MaxPooling2D 'p': pool [3, 3] is larger than the input [null, 2, 8, 1] with padding 'valid', which leaves an empty output",
    },
    {
      rejects: 'an input without height, width and channels',
      config: { name: 'p' },
      build: [28, 28],
      message:
        "MaxPooling2D 'p': input must have shape [null, height, width, channels] (rank 4 with the batch), received [null, 28, 28]",
    },
  ],
});

describe('MaxPooling2D', () => {
  forEachBackend(() => {
    test('routes a tied window’s gradient to its first (top-left) maximum', async () => {
      const pool = new MaxPooling2D({ poolSize: 2 });
      const x = tf.ones([1, 4, 4, 1]);
      const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const { cache } = pool.forward(x, { training: true });
      const { dx } = pool.backward(dy, cache);
      expect(Array.from(await dx.data())).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
      tf.dispose([x, dy, dx, cache.y]);
    });

    test('routes through tiles as through strided views, ties and padding included', async () => {
      const cases: { k: [number, number]; padding: 'valid' | 'same'; shape: [number, number, number, number] }[] = [
        { k: [2, 2], padding: 'valid', shape: [2, 6, 6, 3] },
        { k: [2, 2], padding: 'valid', shape: [2, 7, 5, 3] },
        { k: [2, 2], padding: 'same', shape: [2, 7, 5, 3] },
        { k: [3, 2], padding: 'same', shape: [1, 4, 5, 2] },
      ];
      for (const { k, padding, shape } of cases) {
        // Values rounded to {-1, 0, 1}: many windows hold ties.
        const x = tf.tidy(() => tf.round(tf.randomUniform(shape, -1.4, 1.4, 'float32', 7)));
        const y = tf.maxPool(x as tf.Tensor4D, k, k, padding);
        const dy = tf.randomUniform(y.shape, 0.5, 1.5, 'float32', 8) as tf.Tensor4D;
        const { rows, cols } = windowShape('p', shape.slice(1), 'pool', k, k, [1, 1], padding);
        const tiled = routeToMaxInTiles(dy, x as tf.Tensor4D, y, k, rows, cols, -3.4028234663852886e38);
        const viewed = routeToMaxByViews(dy, x as tf.Tensor4D, y, k, k, rows, cols);
        expect(Array.from(await tiled.data())).toEqual(Array.from(await viewed.data()));
        tf.dispose([x, y, dy, tiled, viewed]);
      }
    });

    test('routes through brickml’s kernel on wasm as through strided views, ties and cropped edges included', async () => {
      const cases: { k: [number, number]; shape: [number, number, number, number] }[] = [
        { k: [2, 2], shape: [2, 6, 6, 4] },
        { k: [2, 2], shape: [2, 7, 5, 8] },
        { k: [3, 2], shape: [3, 8, 5, 12] },
        { k: [1, 3], shape: [1, 4, 10, 4] },
        { k: [2, 2], shape: [2, 5, 5, 3] }, // 3 channels: the tfjs ops
      ];
      for (const { k, shape } of cases) {
        // Values rounded to {-1, 0, 1}: many windows hold ties.
        const x = tf.tidy(() => tf.round(tf.randomUniform(shape, -1.4, 1.4, 'float32', 9)));
        const y = tf.maxPool(x as tf.Tensor4D, k, k, 'valid');
        const dy = tf.randomUniform(y.shape, -1.5, 1.5, 'float32', 10) as tf.Tensor4D;
        const { rows, cols } = windowShape('p', shape.slice(1), 'pool', k, k, [1, 1], 'valid');
        const own = routeToFirstMax(dy, x as tf.Tensor4D, y, k);
        const what = `x [${shape}], window ${k}`;
        expect(own === null, what).toBe(tf.getBackend() !== 'wasm' || shape[3] % 4 !== 0);
        const viewed = routeToMaxByViews(dy, x as tf.Tensor4D, y, k, k, rows, cols);
        // The kernel writes +0 where the ops' 0·dy may be -0: equal values, not equal bits.
        if (own) expect(await maxDiff(own, viewed), what).toBe(0);
        tf.dispose([x, y, dy, viewed, ...(own ? [own] : [])]);
      }
    });

    test('routes a window of negative ties under padding to its first input cell', async () => {
      const pool = new MaxPooling2D({ poolSize: 2, padding: 'same' });
      const x = tf.fill([1, 3, 3, 1], -2);
      const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const { cache } = pool.forward(x, { training: true });
      const { dx } = pool.backward(dy, cache);
      expect(Array.from(await dx.data())).toEqual([1, 0, 2, 0, 0, 0, 3, 0, 4]);
      tf.dispose([x, dy, dx, cache.y]);
    });
  });

  test('matches tfjs-layers maxPooling2d forward on cpu', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 7, 6, 3], -1, 1, 'float32', 4);
    for (const c of [{ poolSize: 2 }, { poolSize: 3, strides: 2, padding: 'same' as const }]) {
      const ours = new MaxPooling2D(c).forward(x, { training: false }).y;
      const theirs = tfl.layers
        .maxPooling2d({ poolSize: c.poolSize, strides: c.strides, padding: c.padding })
        .apply(x) as tf.Tensor;
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      tf.dispose([ours, theirs]);
    }
    x.dispose();
  });

  test('defaults strides to poolSize', () => {
    expect(new MaxPooling2D({ poolSize: 3 }).build([9, 10, 4])).toEqual([3, 3, 4]);
    expect(new MaxPooling2D({ poolSize: 3, padding: 'same' }).build([9, 10, 4])).toEqual([3, 4, 4]);
  });
});
