import { setSeed } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { GRU, type GRUConfig } from './gru.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;
/** Two sequences of 4 steps: the first masked inside and at the end, the second at both ends. */
const mask = () =>
  tf.tensor2d([
    [1, 0, 1, 0],
    [0, 1, 1, 0],
  ]);

// 5 units: brickml's GRU cell kernel (wasm, resetAfter) runs whole vectors of 4 and a last one that overlaps.
const gradCase = (title: string, config: Partial<GRUConfig>, extra: object = {}) => ({
  title: `(${title})`,
  config: { units: 5, biasInitializer: bias, ...config },
  inputShape: [4, 3],
  ...extra,
});

const cases = [false, true].flatMap((resetAfter) => {
  const mode = resetAfter ? 'reset after' : 'reset before';
  return [
    { ...gradCase(`${mode}, last step`, { resetAfter }), outputShape: [5] },
    { ...gradCase(`${mode}, 3 units, fewer than the cell kernel takes`, { resetAfter, units: 3 }), outputShape: [3] },
    {
      ...gradCase(`${mode}, sequences`, { resetAfter, returnSequences: true }),
      outputShape: [4, 5],
      // Without resetAfter, one bias entry's gradient is about 1e-3 here: finite differences in float32
      // miss it by about 2e-5 (autodiff agrees within 1e-4), 2-3% of so small a value.
      ...(!resetAfter && { tolerance: 4e-2 }),
    },
    gradCase(`${mode}, last step backwards masked`, { resetAfter, goBackwards: true }, { mask }),
    gradCase(`${mode}, sequences backwards masked`, { resetAfter, returnSequences: true, goBackwards: true }, { mask }),
    gradCase(
      `${mode}, dropout in training, sequences masked`,
      { resetAfter, returnSequences: true, dropout: 0.3, recurrentDropout: 0.4 },
      { training: true, mask },
    ),
  ];
});

describeBrick<GRUConfig>('GRU', {
  brick: GRU,
  seed: 6,
  cases: [
    ...cases,
    gradCase(
      'free time axis, no bias, relu',
      { useBias: false, activation: 'relu' },
      {
        inputShape: [null, 3],
        outputShape: [5],
      },
    ),
  ],
  spec: [
    { units: 4 },
    {
      units: 2,
      resetAfter: false,
      recurrentActivation: 'hard_sigmoid',
      biasRegularizer: { className: 'L1L2', config: { l1: 0.01, l2: 0.02 } },
      dropout: 0.5,
      returnState: true,
      goBackwards: true,
      stateful: true,
      batchSize: 3,
    },
  ],
  errors: [
    {
      rejects: 'units that are not a positive integer',
      config: { name: 'g', units: 1.5 },
      message: "GRU 'g': units must be a positive integer, received 1.5",
    },
    {
      rejects: 'an input that is not [batch, time, features]',
      config: { name: 'g', units: 2 },
      build: [2, 3, 4],
      message: "GRU 'g': input must be [batch, time, features] with a size for features, received [null, 2, 3, 4]",
    },
    {
      rejects: 'a stateful brick without a fixed batch size',
      config: { name: 'g', units: 2, stateful: true },
      message: "GRU 'g': stateful needs a fixed batch size (the states are kept per example): set batchSize",
    },
  ],
});

describe('GRU weights', () => {
  test('have Keras 3 shapes: resetAfter keeps an input and a recurrent bias, [2, 3·units]', () => {
    setSeed(1);
    const after = new GRU({ units: 3 });
    const before = new GRU({ units: 3, resetAfter: false });
    after.build([null, 5]);
    before.build([null, 5]);
    expect(after.params.kernel.shape).toEqual([5, 9]);
    expect(after.params.recurrentKernel.shape).toEqual([3, 9]);
    expect(after.params.bias?.shape).toEqual([2, 9]);
    expect(before.params.bias?.shape).toEqual([9]);
    after.dispose();
    before.dispose();
  });
});
