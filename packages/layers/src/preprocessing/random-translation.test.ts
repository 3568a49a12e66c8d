import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { RandomTranslation } from './random-translation.js';

describeBrick('RandomTranslation', {
  brick: RandomTranslation,
  cases: [
    {
      title: '(training)',
      config: { heightFactor: 0.4, widthFactor: [-0.5, 0.3], fillValue: 0.5 },
      inputShape: [5, 5, 2],
      training: true,
      batchSize: 4,
      // tfjs autodiff of gather needs the UnsortedSegmentSum kernel, which wasm lacks.
      skipAutodiff: { on: ['wasm'], because: 'wasm lacks UnsortedSegmentSum' },
    },
  ],
  spec: [{ heightFactor: [-0.2, 0.1], widthFactor: 0.1, seed: 2 }],
  errors: [
    {
      rejects: 'a factor outside [-1, 1]',
      config: { name: 't', heightFactor: 2, widthFactor: 0 },
      // The rest of the message is zod's wording.
      message: /^RandomTranslation 't': heightFactor /,
    },
    {
      rejects: 'an input that is not an image',
      config: { name: 't', heightFactor: 0.1, widthFactor: 0.1 },
      build: [8],
      message: "RandomTranslation 't': input must have shape [null, height, width, channels], received [null, 8]",
    },
  ],
});

describe('RandomTranslation', () => {
  test('shifts by whole pixels, fills the border, and backward shifts back', async () => {
    // u = 0.4 exactly: ty = round(0.4·5) = 2 rows down; no horizontal shift.
    const shift = new RandomTranslation({ heightFactor: [0.4, 0.4], widthFactor: 0, fillValue: -1 });
    const x = tf.tensor4d([1, 2, 3, 4, 5], [1, 5, 1, 1]);
    const { y, cache } = shift.forward(x, { training: true });
    expect(Array.from(await y.data())).toEqual([-1, -1, 1, 2, 3]);
    const dy = tf.tensor4d([10, 20, 30, 40, 50], [1, 5, 1, 1]);
    const { dx } = shift.backward(dy, cache);
    expect(Array.from(await dx.data())).toEqual([30, 40, 50, 0, 0]);
    tf.dispose([x, y, dy, dx]);
  });

  test('is the identity in inference', async () => {
    const shift = new RandomTranslation({ heightFactor: 0.5, widthFactor: 0.5 });
    const x = tf.randomUniform([2, 4, 4, 1]);
    const y = shift.forward(x, { training: false }).y;
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, y]);
  });
});
