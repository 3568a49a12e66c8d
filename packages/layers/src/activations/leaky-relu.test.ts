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
import { LeakyReLU } from './leaky-relu.js';

describe('LeakyReLU', () => {
  forEachBackend(() => {
    test('backward matches autodiff and finite differences', async () => {
      const leaky = new LeakyReLU({ negativeSlope: 0.2 });
      await expectBackwardMatchesAutodiff(leaky, [3, 2]);
      await expectFiniteDifferences(leaky, [3, 2]);
    });

    test('scales negative inputs by 0.3 by default (Keras 3)', async () => {
      const leaky = new LeakyReLU();
      expect(leaky.config.negativeSlope).toBe(0.3);
      const x = tf.tensor2d([[-2, 0.5]]);
      const { y } = leaky.forward(x, { training: false });
      const got = Array.from(await y.data());
      expect(got[0]).toBeCloseTo(-0.6, 6);
      expect(got[1]).toBeCloseTo(0.5, 6);
      tf.dispose([x, y]);
    });
  });

  test('leaks no tensor through forward and backward', async () => {
    const leaky = new LeakyReLU();
    const x = tf.ones([2, 4]);
    const dy = tf.ones([2, 4]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        leaky.backward(dy, leaky.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new LeakyReLU({ negativeSlope: 0.01 }));
  });

  test('rejects a negative slope with a named error', () => {
    expect(() => new LeakyReLU({ name: 'l', negativeSlope: -1 })).toThrowError(BrickError);
    expect(() => new LeakyReLU({ name: 'l', negativeSlope: -1 })).toThrow(
      "LeakyReLU 'l': negativeSlope must be non-negative, received -1",
    );
  });
});
