import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { GlobalMaxPooling2D } from './global-max-pooling-2d.js';

describe('GlobalMaxPooling2D', () => {
  forEachBackend(() => {
    for (const keepdims of [false, true]) {
      test(`backward (keepdims ${keepdims}) matches autodiff and finite differences`, async () => {
        const pool = new GlobalMaxPooling2D({ keepdims });
        await expectBackwardMatchesAutodiff(pool, [5, 5, 2]);
        await expectFiniteDifferences(pool, [5, 5, 2], { epsilon: 1e-3 });
      });
    }

    test('routes a tied gradient to the first maximum in row-major order', async () => {
      const pool = new GlobalMaxPooling2D();
      const x = tf.tensor4d([0, 5, 3, 5, 5, 1, 5, 2], [1, 2, 2, 2]);
      const dy = tf.tensor2d([[7, 9]]);
      const { y, cache } = pool.forward(x, { training: true });
      const { dx } = pool.backward(dy, cache);
      expect(Array.from(await y.data())).toEqual([5, 5]);
      expect(Array.from(await dx.data())).toEqual([0, 9, 0, 0, 7, 0, 0, 0]);
      tf.dispose([x, dy, y, dx]);
    });
  });

  test('leaks no tensor through forward and backward', async () => {
    const pool = new GlobalMaxPooling2D();
    const x = tf.randomUniform([2, 3, 3, 2]);
    const dy = tf.ones([2, 2]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        pool.backward(dy, pool.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new GlobalMaxPooling2D({ keepdims: true }));
  });

  test('rejects an input without height, width and channels', () => {
    expect(() => new GlobalMaxPooling2D({ name: 'g' }).build([4, 4])).toThrow(
      "GlobalMaxPooling2D 'g': input must have shape [null, height, width, channels], received [null, 4, 4]",
    );
  });
});
