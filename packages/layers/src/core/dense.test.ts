import { BrickError, setSeed } from '@brickml/core';
import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Dense } from './dense.js';

describe('Dense', () => {
  forEachBackend(() => {
    for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const) {
      test(`backward with ${activation} matches autodiff and finite differences`, async () => {
        setSeed(1);
        const dense = new Dense({
          units: 3,
          activation,
          kernelInitializer: 'heNormal',
          biasInitializer: { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } },
        });
        await expectBackwardMatchesAutodiff(dense, [4]);
        await expectFiniteDifferences(dense, [4]);
        dense.dispose();
      });
    }
    test('applies to the last axis of rank-3 inputs', async () => {
      const dense = new Dense({ units: 2 });
      await expectFiniteDifferences(dense, [3, 4]);
      expect(dense.outputShape).toEqual([3, 2]);
      dense.dispose();
    });
  });

  test('leaks no tensor through forward and backward', async () => {
    const dense = new Dense({ units: 3, activation: 'relu' });
    const x = tf.ones([2, 4]);
    const dy = tf.ones([2, 3]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        dense.backward(dy, dense.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
    dense.dispose();
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(
      new Dense({ units: 5, activation: 'relu', kernelRegularizer: { className: 'L2', config: { l2: 0.01 } } }),
    );
  });

  test('rejects a non-positive units with a named error', () => {
    expect(() => new Dense({ name: 'dense_x', units: 0 })).toThrowError(BrickError);
    expect(() => new Dense({ name: 'dense_x', units: 0 })).toThrow(
      "Dense 'dense_x': units must be a positive integer, received 0",
    );
  });

  test('rejects an input of the wrong width naming both shapes', () => {
    const dense = new Dense({ name: 'd', units: 2 });
    dense.build([4]);
    const x = tf.ones([3, 5]);
    expect(() => dense.forward(x, { training: false })).toThrow(
      "Dense 'd': input must have shape [null, 4], received [3, 5]",
    );
    x.dispose();
    dense.dispose();
  });
});

test('Dense paramGrads equals the grads of backward', async () => {
  setSeed(2);
  const dense = new Dense({ units: 3, activation: 'tanh' });
  const x = tf.randomNormal([4, 5]);
  const dy = tf.randomNormal([4, 3]);
  const { cache } = dense.forward(x, { training: true });
  const full = dense.backward(dy, cache);
  const only = dense.paramGrads(dy, cache);
  expect(await only.kernel.data()).toEqual(await full.grads.kernel.data());
  expect(await only.bias!.data()).toEqual(await full.grads.bias!.data());
  tf.dispose([x, dy, full.dx, full.grads.kernel, full.grads.bias!, only.kernel, only.bias!]);
  dense.dispose();
});
