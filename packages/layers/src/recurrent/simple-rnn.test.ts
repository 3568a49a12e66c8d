import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { SimpleRNN, type SimpleRNNConfig } from './simple-rnn.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;
/** Two sequences of 4 steps: the first masked inside and at the end, the second at both ends. */
const mask = () =>
  tf.tensor2d([
    [1, 0, 1, 0],
    [0, 1, 1, 0],
  ]);

const gradCase = (title: string, config: Omit<SimpleRNNConfig, 'units'>, extra: object = {}) => ({
  title: `(${title})`,
  config: { units: 3, biasInitializer: bias, ...config },
  inputShape: [4, 3],
  ...extra,
});

describeBrick<SimpleRNNConfig>('SimpleRNN', {
  brick: SimpleRNN,
  seed: 7,
  cases: [
    { ...gradCase('last step', {}), outputShape: [3] },
    { ...gradCase('sequences', { returnSequences: true }), outputShape: [4, 3] },
    gradCase('last step backwards masked', { goBackwards: true }, { mask }),
    gradCase('sequences backwards masked', { returnSequences: true, goBackwards: true }, { mask }),
    gradCase('sigmoid, no bias, free time axis', { activation: 'sigmoid', useBias: false }, { inputShape: [null, 3] }),
    gradCase(
      'dropout in training, sequences masked',
      { returnSequences: true, dropout: 0.3, recurrentDropout: 0.4 },
      { training: true, mask },
    ),
  ],
  spec: [{ units: 4 }, { units: 2, activation: 'relu', returnSequences: true, recurrentDropout: 0.25, seed: 3 }],
  errors: [
    {
      rejects: 'units that are not a positive integer',
      config: { name: 'r', units: -1 },
      message: "SimpleRNN 'r': units must be a positive integer, received -1",
    },
    {
      rejects: 'an input without a time axis',
      config: { name: 'r', units: 2 },
      build: [3],
      message: "SimpleRNN 'r': input must be [batch, time, features] with a size for features, received [null, 3]",
    },
    {
      rejects: 'an activation across units',
      config: { name: 'r', units: 2, activation: 'softmax' },
      message:
        "SimpleRNN 'r': activation 'softmax' mixes the units of a step; a recurrent brick takes elementwise activations",
    },
  ],
});
