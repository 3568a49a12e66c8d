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
import { Softmax } from './softmax.js';

describe('Softmax', () => {
  forEachBackend(() => {
    test('backward over the last axis matches autodiff and finite differences', async () => {
      const softmax = new Softmax();
      await expectBackwardMatchesAutodiff(softmax, [2, 4]);
      await expectFiniteDifferences(softmax, [2, 4]);
    });

    test('backward over a middle axis matches autodiff and finite differences', async () => {
      const softmax = new Softmax({ axis: 1 });
      await expectBackwardMatchesAutodiff(softmax, [3, 2]);
      await expectFiniteDifferences(softmax, [3, 2]);
    });

    test('sums to one along its axis', async () => {
      const softmax = new Softmax({ axis: -2 });
      const x = tf.tensor3d([
        [
          [1, -2],
          [3, 0.5],
          [-1, 2],
        ],
      ]);
      const { y } = softmax.forward(x, { training: false });
      const sums = tf.sum(y, 1);
      for (const s of await sums.data()) expect(s).toBeCloseTo(1, 6);
      tf.dispose([x, y, sums]);
    });
  });

  test('leaks no tensor through forward and backward', async () => {
    for (const axis of [-1, 1]) {
      const softmax = new Softmax({ axis });
      const x = tf.ones([2, 3, 4]);
      const dy = tf.ones([2, 3, 4]);
      await expectNoLeak(() => {
        tf.tidy(() => {
          softmax.backward(dy, softmax.forward(x, { training: true }).cache);
        });
      });
      tf.dispose([x, dy]);
    }
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new Softmax({ axis: 2 }));
    expectSpecRoundTrip(new Softmax());
  });

  test('rejects the batch axis and axes out of range with a named error', () => {
    expect(() => new Softmax({ name: 's', axis: 0 }).build([4])).toThrowError(BrickError);
    expect(() => new Softmax({ name: 's', axis: 0 }).build([4])).toThrow(
      "Softmax 's': axis must name a non-batch axis of an input of rank 2 (1..1 or -1..-1), received 0",
    );
    expect(() => new Softmax({ name: 's', axis: 3 }).build([4, 5])).toThrow(/received 3/);
    expect(() => new Softmax({ name: 's', axis: -3 }).build([4])).toThrow(/received -3/);
    expect(() => new Softmax({ name: 's', axis: 1.5 })).toThrow("Softmax 's': axis must be an integer, received 1.5");
  });
});
