import { useBackend } from '@brickml/core';
import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { MaxPooling2D, type MaxPooling2DConfig } from './max-pooling-2d.js';

describe('MaxPooling2D', () => {
  forEachBackend(() => {
    const cases: [string, MaxPooling2DConfig][] = [
      ['2x2 valid', {}],
      ['3x3 stride 2 same', { poolSize: 3, strides: 2, padding: 'same' }],
      ['[2, 3] stride 1 valid (overlapping)', { poolSize: [2, 3], strides: 1 }],
    ];
    for (const [what, config] of cases) {
      test(`backward (${what}) matches autodiff and finite differences`, async () => {
        const pool = new MaxPooling2D(config);
        await expectBackwardMatchesAutodiff(pool, [5, 5, 2]);
        // A small step keeps each window's argmax where it is.
        await expectFiniteDifferences(pool, [5, 5, 2], { epsilon: 1e-3 });
      });
    }

    test('routes a tied window’s gradient to its first (top-left) maximum', async () => {
      const pool = new MaxPooling2D({ poolSize: 2 });
      const x = tf.ones([1, 4, 4, 1]);
      const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const { cache } = pool.forward(x, { training: true });
      const { dx } = pool.backward(dy, cache);
      expect(Array.from(await dx.data())).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
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

  test('leaks no tensor through forward and backward', async () => {
    const pool = new MaxPooling2D({ poolSize: 3, strides: 2, padding: 'same' });
    const x = tf.randomUniform([2, 5, 5, 2]);
    const dy = tf.ones([2, 3, 3, 2]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        pool.backward(dy, pool.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new MaxPooling2D({ poolSize: [2, 3], strides: 1, padding: 'same' }));
  });

  test('rejects a pool that leaves an empty output, naming the shapes', () => {
    expect(() => new MaxPooling2D({ name: 'p', poolSize: 3 }).build([2, 8, 1])).toThrow(
      "MaxPooling2D 'p': pool [3, 3] is larger than the input [null, 2, 8, 1] with padding 'valid', which leaves an empty output",
    );
  });

  test('rejects an input without height, width and channels', () => {
    expect(() => new MaxPooling2D({ name: 'p' }).build([28, 28])).toThrow(
      "MaxPooling2D 'p': input must have shape [null, height, width, channels] (rank 4 with the batch), received [null, 28, 28]",
    );
  });
});
