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
import { Activation } from './activation.js';
import { ActivationName } from './functions.js';

describe('Activation', () => {
  forEachBackend((backend) => {
    // Software WebGPU is slow: there the check covers the functions that other bricks do not.
    const names = backend === 'webgpu' ? (['linear', 'gelu', 'selu', 'softmax'] as const) : ActivationName.options;
    for (const activation of names) {
      test(`backward with ${activation} matches autodiff and finite differences`, async () => {
        const brick = new Activation({ activation });
        await expectBackwardMatchesAutodiff(brick, [5]);
        await expectFiniteDifferences(brick, [5]);
      });
    }
  });

  test('applies the named function', async () => {
    const x = tf.tensor2d([[-1, 2]]);
    const { y } = new Activation({ activation: 'relu' }).forward(x, { training: false });
    expect(Array.from(await y.data())).toEqual([0, 2]);
    tf.dispose([x, y]);
  });

  test('leaks no tensor through forward and backward', async () => {
    const x = tf.ones([2, 4]);
    const dy = tf.ones([2, 4]);
    for (const activation of ['linear', 'softmax', 'swish'] as const) {
      const brick = new Activation({ activation });
      await expectNoLeak(() => {
        tf.tidy(() => {
          brick.backward(dy, brick.forward(x, { training: true }).cache);
        });
      });
    }
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new Activation({ activation: 'gelu' }));
  });

  test('rejects an unknown activation with a named error', () => {
    expect(() => new Activation({ name: 'a', activation: 'relu7' as never })).toThrowError(BrickError);
    expect(() => new Activation({ name: 'a', activation: 'relu7' as never })).toThrow(
      /^Activation 'a': activation .*received "relu7"$/,
    );
  });
});
