import { setSeed } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Dense } from './dense.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

describeBrick('Dense', {
  brick: Dense,
  seed: 1,
  cases: [
    ...(['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const).map((activation) => ({
      title: `with ${activation}`,
      config: { units: 3, activation, kernelInitializer: 'heNormal' as const, biasInitializer: bias },
      inputShape: [4],
    })),
    { title: 'on the last axis of a rank-3 input', config: { units: 2 }, inputShape: [3, 4], outputShape: [3, 2] },
  ],
  spec: [{ units: 5, activation: 'relu', kernelRegularizer: { className: 'L2', config: { l2: 0.01 } } }],
  errors: [
    {
      rejects: 'a non-positive units',
      config: { name: 'dense_x', units: 0 },
      message: "Dense 'dense_x': units must be a positive integer, received 0",
    },
    {
      rejects: 'an input of the wrong width, naming both shapes',
      config: { name: 'd', units: 2 },
      build: [4],
      forward: [3, 5],
      message: "Dense 'd': input must have shape [null, 4], received [3, 5]",
    },
  ],
});

describe('Dense', () => {
  test('paramGrads equals the grads of backward', async () => {
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
});
