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
import { Tanh } from './tanh.js';

describe('Tanh', () => {
  forEachBackend(() => {
    test('backward matches autodiff and finite differences', async () => {
      const brick = new Tanh();
      await expectBackwardMatchesAutodiff(brick, [2, 3]);
      await expectFiniteDifferences(brick, [2, 3]);
    });
  });

  test('matches Math.tanh', async () => {
    const x = tf.tensor2d([[-3, -0.5, 0, 0.7, 4]]);
    const { y } = new Tanh().forward(x, { training: false });
    const got = Array.from(await y.data());
    [-3, -0.5, 0, 0.7, 4].forEach((v, i) => {
      expect(got[i]).toBeCloseTo(Math.tanh(v), 6);
    });
    tf.dispose([x, y]);
  });

  test('leaks no tensor through forward and backward', async () => {
    const brick = new Tanh();
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
    expectSpecRoundTrip(new Tanh({ name: 'tanh_out' }));
  });

  test('rejects an unknown field with a named error', () => {
    expect(() => new Tanh({ name: 's', alpha: 1 } as never)).toThrowError(BrickError);
    expect(() => new Tanh({ name: 's', alpha: 1 } as never)).toThrow("Tanh 's': unknown field(s) 'alpha'");
  });
});
