import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { RandomFlip } from './random-flip.js';

describeBrick('RandomFlip', {
  brick: RandomFlip,
  cases: (['horizontal', 'vertical', 'horizontal_and_vertical'] as const).map((mode) => ({
    title: `(${mode}, training)`,
    config: { mode },
    inputShape: [3, 4, 2],
    training: true,
    batchSize: 6,
  })),
  spec: [{ mode: 'vertical', seed: 4 }],
  errors: [
    {
      rejects: 'an input that is not an image',
      config: { name: 'f' },
      build: [10],
      message: "RandomFlip 'f': input must have shape [null, height, width, channels], received [null, 10]",
    },
  ],
});

describe('RandomFlip', () => {
  test('flips each example either not at all or fully, and backward flips dy back', async () => {
    const flip = new RandomFlip({ mode: 'horizontal', seed: 3 });
    const row = [1, 2, 3, 4];
    const x = tf.tensor4d(Array(8).fill(row).flat(), [8, 1, 4, 1]);
    const { y, cache } = flip.forward(x, { training: true });
    const out = Array.from(await y.data());
    const seen = new Set<string>();
    for (let n = 0; n < 8; n++) seen.add(out.slice(4 * n, 4 * n + 4).join(','));
    expect(seen).toEqual(new Set(['1,2,3,4', '4,3,2,1']));
    const { dx } = flip.backward(y, cache);
    expect(Array.from(await dx.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, y, dx]);
  });

  test('is the identity in inference', async () => {
    const flip = new RandomFlip();
    const x = tf.randomUniform([2, 3, 3, 1]);
    const y = flip.forward(x, { training: false }).y;
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, y]);
  });

  test('draws the same flips from the same seed', async () => {
    const x = tf.randomUniform([16, 2, 2, 1]);
    const [a, b] = [new RandomFlip({ seed: 9 }), new RandomFlip({ seed: 9 })].map(
      (f) => f.forward(x, { training: true }).y,
    );
    expect(Array.from(await a!.data())).toEqual(Array.from(await b!.data()));
    tf.dispose([x, a!, b!]);
  });
});
