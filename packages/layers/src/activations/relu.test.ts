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
import { ReLU } from './relu.js';

/** Inputs off every kink of a ReLU with threshold 0.5 and maxValue 2 (kinks at 0.5 and 2). */
const offKinks = () => tf.tensor2d([[-1.2, -0.3, 0.1, 0.3, 0.8, 1.4, 2.5, 3.1, -0.05, 0.95, 1.9, 2.2]], [1, 12]);

describe('ReLU', () => {
  forEachBackend(() => {
    test('backward with the defaults matches autodiff and finite differences', async () => {
      const relu = new ReLU();
      await expectBackwardMatchesAutodiff(relu, [5]);
      await expectFiniteDifferences(relu, [5]);
    });

    test('backward with maxValue, negativeSlope and threshold matches autodiff and finite differences', async () => {
      const relu = new ReLU({ maxValue: 2, negativeSlope: 0.2, threshold: 0.5 });
      const input = offKinks();
      await expectBackwardMatchesAutodiff(relu, [12], { input, batchSize: 1 });
      await expectFiniteDifferences(relu, [12], { input, batchSize: 1, epsilon: 1e-2 });
      input.dispose();
    });

    test('follows the Keras formula', async () => {
      const relu = new ReLU({ maxValue: 2, negativeSlope: 0.2, threshold: 0.5 });
      const x = offKinks();
      const { y } = relu.forward(x, { training: false });
      const xs = Array.from(await x.data());
      const expected = xs.map((v) => (v > 0.5 ? Math.min(v, 2) : 0.2 * (v - 0.5)));
      const got = Array.from(await y.data());
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[i] as number, 6);
      });
      tf.dispose([x, y]);
    });
  });

  test('leaks no tensor through forward and backward', async () => {
    const relu = new ReLU({ maxValue: 6, negativeSlope: 0.1 });
    const x = tf.ones([2, 4]);
    const dy = tf.ones([2, 4]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        relu.backward(dy, relu.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new ReLU({ maxValue: 6, negativeSlope: 0.1, threshold: 0.2 }));
    expectSpecRoundTrip(new ReLU());
  });

  test('rejects negative settings with a named error', () => {
    expect(() => new ReLU({ name: 'r', maxValue: -1 })).toThrowError(BrickError);
    expect(() => new ReLU({ name: 'r', maxValue: -1 })).toThrow("ReLU 'r': maxValue must be non-negative, received -1");
    expect(() => new ReLU({ name: 'r', negativeSlope: -0.1 })).toThrow(
      "ReLU 'r': negativeSlope must be non-negative, received -0.1",
    );
    expect(() => new ReLU({ name: 'r', threshold: -2 })).toThrow(
      "ReLU 'r': threshold must be non-negative, received -2",
    );
  });
});
