import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Activation } from './activation.js';
import { ActivationName } from './functions.js';

/** Software WebGPU is slow: there the check covers the functions that other bricks do not. */
const onWebGPU: readonly string[] = ['linear', 'gelu', 'selu', 'softmax'];

describeBrick('Activation', {
  brick: Activation,
  cases: ActivationName.options.map((activation) => ({
    title: `with ${activation}`,
    config: { activation },
    inputShape: [5],
    skip: onWebGPU.includes(activation) ? undefined : { on: ['webgpu'] as const, because: 'software WebGPU is slow' },
  })),
  spec: [{ activation: 'gelu' }],
  errors: [
    {
      rejects: 'an unknown activation',
      config: { name: 'a', activation: 'relu7' as never },
      message: /^Activation 'a': activation .*received "relu7"$/,
    },
  ],
});

describe('Activation', () => {
  test('applies the named function', async () => {
    const x = tf.tensor2d([[-1, 2]]);
    const { y } = new Activation({ activation: 'relu' }).forward(x, { training: false });
    expect(Array.from(await y.data())).toEqual([0, 2]);
    tf.dispose([x, y]);
  });
});
