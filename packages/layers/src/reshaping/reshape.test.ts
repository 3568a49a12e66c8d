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
import { Reshape } from './reshape.js';

describe('Reshape', () => {
  forEachBackend(() => {
    test('backward matches autodiff and finite differences', async () => {
      const reshape = new Reshape({ targetShape: [3, 4] });
      await expectBackwardMatchesAutodiff(reshape, [2, 6]);
      await expectFiniteDifferences(reshape, [2, 6]);
    });
  });

  test('fills in one -1 from the input size', () => {
    expect(new Reshape({ targetShape: [-1, 4] }).build([2, 6])).toEqual([3, 4]);
    expect(new Reshape({ targetShape: [2, -1, 2] }).build([12])).toEqual([2, 3, 2]);
  });

  test('keeps the batch axis and the row-major order', async () => {
    const x = tf.tensor2d([
      [1, 2, 3, 4, 5, 6],
      [7, 8, 9, 10, 11, 12],
    ]);
    const { y } = new Reshape({ targetShape: [3, 2] }).forward(x, { training: false });
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    tf.dispose([x, y]);
  });

  test('leaks no tensor through forward and backward', async () => {
    const reshape = new Reshape({ targetShape: [-1] });
    const x = tf.ones([2, 3, 4]);
    const dy = tf.ones([2, 12]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        reshape.backward(dy, reshape.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new Reshape({ targetShape: [7, -1, 2] }));
  });

  test('rejects a targetShape whose size does not match, naming both shapes', () => {
    expect(() => new Reshape({ name: 'r', targetShape: [5, 2] }).build([3, 4])).toThrowError(BrickError);
    expect(() => new Reshape({ name: 'r', targetShape: [5, 2] }).build([3, 4])).toThrow(
      "Reshape 'r': cannot reshape an input of shape [null, 3, 4] (12 values per example) to targetShape [5, 2]",
    );
    expect(() => new Reshape({ name: 'r', targetShape: [5, -1] }).build([3, 4])).toThrow(
      "Reshape 'r': cannot reshape an input of shape [null, 3, 4] (12 values per example) to targetShape [5, -1]",
    );
  });

  test('rejects two -1 entries and non-positive sizes with a named error', () => {
    expect(() => new Reshape({ name: 'r', targetShape: [-1, -1] })).toThrow(
      "Reshape 'r': targetShape may contain at most one -1, received [-1,-1]",
    );
    expect(() => new Reshape({ name: 'r', targetShape: [0, 3] })).toThrow(
      "Reshape 'r': targetShape[0] must hold positive integers or one -1, received 0",
    );
    expect(() => new Reshape({ name: 'r' } as never)).toThrow(
      "Reshape 'r': targetShape must be an array of integers, received nothing",
    );
  });
});
