import { BrickError } from '@brickml/core';
import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Flatten } from './flatten.js';

describe('Flatten', () => {
  forEachBackend(() => {
    test('backward matches autodiff and finite differences', async () => {
      const flatten = new Flatten();
      await expectBackwardMatchesAutodiff(flatten, [2, 3, 2]);
      await expectFiniteDifferences(flatten, [2, 3, 2]);
      expect(flatten.outputShape).toEqual([12]);
    });
  });

  test('keeps the batch axis and the row-major order', async () => {
    const x = tf.tensor3d([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    const { y } = new Flatten().forward(x, { training: false });
    expect(y.shape).toEqual([2, 4]);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    tf.dispose([x, y]);
  });

  test('leaks no tensor through forward and backward', async () => {
    const flatten = new Flatten();
    const x = tf.ones([2, 3, 4]);
    const dy = tf.ones([2, 12]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        flatten.backward(dy, flatten.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new Flatten({ name: 'flat' }));
  });

  test('rejects an input of another shape than it was built for, naming both shapes', () => {
    const flatten = new Flatten({ name: 'f' });
    flatten.build([2, 3]);
    const x = tf.ones([1, 3, 2]);
    expect(() => flatten.forward(x, { training: false })).toThrowError(BrickError);
    expect(() => flatten.forward(x, { training: false })).toThrow(
      "Flatten 'f': input must have shape [null, 2, 3], received [1, 3, 2]",
    );
    x.dispose();
  });
});
