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
import { Sigmoid } from './sigmoid.js';

describe('Sigmoid', () => {
  forEachBackend(() => {
    test('backward matches autodiff and finite differences', async () => {
      const brick = new Sigmoid();
      await expectBackwardMatchesAutodiff(brick, [2, 3]);
      await expectFiniteDifferences(brick, [2, 3]);
    });
  });

  test('matches 1 / (1 + e⁻ˣ)', async () => {
    const x = tf.tensor2d([[-3, -0.5, 0, 0.7, 4]]);
    const { y } = new Sigmoid().forward(x, { training: false });
    const got = Array.from(await y.data());
    [-3, -0.5, 0, 0.7, 4].forEach((v, i) => {
      expect(got[i]).toBeCloseTo(1 / (1 + Math.exp(-v)), 6);
    });
    tf.dispose([x, y]);
  });

  test('leaks no tensor through forward and backward', async () => {
    const brick = new Sigmoid();
    const x = tf.ones([2, 4]);
    const dy = tf.ones([2, 4]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        brick.backward(dy, brick.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new Sigmoid({ name: 'sigmoid_out' }));
  });

  test('rejects an unknown field with a named error', () => {
    expect(() => new Sigmoid({ name: 's', alpha: 1 } as never)).toThrowError(BrickError);
    expect(() => new Sigmoid({ name: 's', alpha: 1 } as never)).toThrow("Sigmoid 's': unknown field(s) 'alpha'");
  });
});
