import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { GlobalAveragePooling2D } from './global-average-pooling-2d.js';

describe('GlobalAveragePooling2D', () => {
  forEachBackend(() => {
    for (const keepdims of [false, true]) {
      test(`backward (keepdims ${keepdims}) matches autodiff and finite differences`, async () => {
        const pool = new GlobalAveragePooling2D({ keepdims });
        await expectBackwardMatchesAutodiff(pool, [5, 5, 2]);
        await expectFiniteDifferences(pool, [5, 5, 2]);
        expect(pool.outputShape).toEqual(keepdims ? [1, 1, 2] : [2]);
      });
    }
  });

  test('averages each channel over the image', async () => {
    const x = tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    const y = new GlobalAveragePooling2D().forward(x, { training: false }).y;
    expect(Array.from(await y.data())).toEqual([2.5, 25]);
    tf.dispose([x, y]);
  });

  test('leaks no tensor through forward and backward', async () => {
    const pool = new GlobalAveragePooling2D();
    const x = tf.ones([2, 3, 3, 2]);
    const dy = tf.ones([2, 2]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        pool.backward(dy, pool.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new GlobalAveragePooling2D({ keepdims: true }));
  });

  test('rejects an input without height, width and channels', () => {
    expect(() => new GlobalAveragePooling2D({ name: 'g' }).build([10])).toThrow(
      "GlobalAveragePooling2D 'g': input must have shape [null, height, width, channels], received [null, 10]",
    );
  });
});
