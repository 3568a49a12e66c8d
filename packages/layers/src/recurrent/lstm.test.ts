import { setSeed } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { LSTM, type LSTMConfig } from './lstm.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;
/** Two sequences of 4 steps: the first masked inside and at the end, the second at both ends. */
const mask = () =>
  tf.tensor2d([
    [1, 0, 1, 0],
    [0, 1, 1, 0],
  ]);

// 5 units: brickml's LSTM cell kernels (wasm) run whole vectors of 4 and a last one that overlaps.
const gradCase = (title: string, config: Partial<LSTMConfig>, extra: object = {}) => ({
  title: `(${title})`,
  config: { units: 5, biasInitializer: bias, unitForgetBias: false, ...config },
  inputShape: [4, 3],
  ...extra,
});

describeBrick<LSTMConfig>('LSTM', {
  brick: LSTM,
  seed: 5,
  cases: [
    { ...gradCase('last step', {}), outputShape: [5] },
    { ...gradCase('sequences', { returnSequences: true }), outputShape: [4, 5] },
    { ...gradCase('sequences, 8 units', { units: 8, returnSequences: true }), outputShape: [4, 8] },
    { ...gradCase('3 units, fewer than the cell kernels take', { units: 3 }), outputShape: [3] },
    gradCase('last step backwards', { goBackwards: true }),
    gradCase('sequences masked', { returnSequences: true }, { mask }),
    gradCase('last step backwards masked', { goBackwards: true }, { mask }),
    gradCase(
      'sequences backwards masked, free time axis',
      { returnSequences: true, goBackwards: true },
      {
        inputShape: [null, 3],
        mask: () =>
          tf.tensor2d([
            [1, 1, 0],
            [0, 1, 1],
          ]),
        outputShape: [null, 5],
      },
    ),
    gradCase('relu and hardSigmoid, no bias', {
      activation: 'relu',
      recurrentActivation: 'hardSigmoid',
      useBias: false,
    }),
    gradCase(
      'dropout in training, sequences masked',
      { returnSequences: true, dropout: 0.3, recurrentDropout: 0.4 },
      { training: true, mask },
    ),
  ],
  spec: [
    { units: 4 },
    {
      units: 2,
      activation: 'relu',
      recurrentActivation: 'hardSigmoid',
      useBias: false,
      recurrentInitializer: { className: 'Orthogonal', config: { gain: 2 } },
      kernelRegularizer: 'l2',
      recurrentRegularizer: { className: 'L1', config: { l1: 0.1 } },
      dropout: 0.2,
      recurrentDropout: 0.1,
      seed: 7,
      returnSequences: true,
      returnState: true,
      goBackwards: true,
      stateful: true,
      batchSize: 8,
      unitForgetBias: false,
    },
  ],
  errors: [
    {
      rejects: 'units that are not a positive integer',
      config: { name: 'l', units: 0 },
      message: "LSTM 'l': units must be a positive integer, received 0",
    },
    {
      rejects: 'an input that is not [batch, time, features]',
      config: { name: 'l', units: 2 },
      build: [5],
      message: "LSTM 'l': input must be [batch, time, features] with a size for features, received [null, 5]",
    },
    {
      rejects: 'a stateful brick without a fixed batch size',
      config: { name: 'l', units: 2, stateful: true },
      message: "LSTM 'l': stateful needs a fixed batch size (the states are kept per example): set batchSize",
    },
    {
      rejects: 'a stateful brick given another batch size',
      config: { name: 'l', units: 2, stateful: true, batchSize: 4 },
      forward: [2, 3, 5],
      message: "LSTM 'l': stateful with batchSize 4 received a batch of 2",
    },
    {
      rejects: 'an activation across units',
      config: { name: 'l', units: 2, recurrentActivation: 'softmax' },
      message:
        "LSTM 'l': recurrentActivation 'softmax' mixes the units of a step; a recurrent brick takes elementwise activations",
    },
    {
      rejects: 'a dropout rate of 1',
      config: { name: 'l', units: 2, recurrentDropout: 1 },
      message: "LSTM 'l': recurrentDropout must be a number in [0, 1), received 1",
    },
  ],
});

describe('LSTM weights', () => {
  test('have Keras 3 shapes, and the forget gate bias starts at 1 (unitForgetBias)', async () => {
    setSeed(1);
    const lstm = new LSTM({ units: 3 });
    lstm.build([null, 5]);
    expect(lstm.params.kernel.shape).toEqual([5, 12]);
    expect(lstm.params.recurrentKernel.shape).toEqual([3, 12]);
    expect(Array.from(await (lstm.params.bias as tf.Variable).data())).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    lstm.dispose();
  });
});
