import { useBackend } from '@brickml/core';
import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import { Masking } from './masking.js';

describeBrick('Masking', {
  brick: Masking,
  cases: [
    // Finite differences cannot cross a masked step (a nudge unmasks it), so these steps are all kept.
    { title: '(no step masked)', config: {}, inputShape: [3, 2], outputShape: [3, 2] },
    { title: '(sequences of any length)', config: { maskValue: -2 }, inputShape: [null, 4], outputShape: [null, 4] },
  ],
  skipAutodiff: { because: 'tfjs has no gradient for Any' },
  spec: [{}, { name: 'pad', maskValue: -1 }],
  errors: [
    {
      rejects: 'an input without a feature axis',
      config: { name: 'm' },
      build: [],
      message: "Masking 'm': input must have a feature axis, received [null]",
    },
    {
      rejects: 'a maskValue that is not a number',
      config: { name: 'm', maskValue: 'zero' } as never,
      message: /^Masking 'm': maskValue invalid input: expected number, received string, received "zero"$/i,
    },
  ],
});

/** [2 sequences, 3 steps, 2 features]: steps (0, 1) and (1, 0) are all -1, step (1, 2) only half. */
const padded = () =>
  tf.tensor3d([
    [
      [1, 2],
      [-1, -1],
      [0, 3],
    ],
    [
      [-1, -1],
      [4, -1],
      [-1, 0.5],
    ],
  ]);

describe('Masking', () => {
  forEachBackend(() => {
    test('zeroes the steps equal to maskValue on every feature, and its mask marks them', async () => {
      const masking = new Masking({ maskValue: -1 });
      const x = padded();
      const { y, cache } = masking.forward(x, { training: false });
      // + 0 turns the -0 of -1·0 into 0.
      expect(Array.from(await y.data(), (v) => v + 0)).toEqual([1, 2, 0, 0, 0, 3, 0, 0, 4, -1, -1, 0.5]);
      const mask = masking.computeMask(x, null);
      expect(mask.shape).toEqual([2, 3]);
      expect(Array.from(await mask.data())).toEqual([1, 0, 1, 0, 1, 1]);
      tf.dispose([x, y, cache.m, mask]);
    });

    test('backward passes dy on the kept steps and nothing on the masked ones', async () => {
      const masking = new Masking({ maskValue: -1 });
      const x = padded();
      const { y, cache } = masking.forward(x, { training: true });
      const dy = tf.add(tf.range(1, 13), 0);
      const { dx } = masking.backward(tf.reshape(dy, [2, 3, 2]), cache);
      expect(Array.from(await dx.data())).toEqual([1, 2, 0, 0, 5, 6, 0, 0, 9, 10, 11, 12]);
      tf.dispose([x, y, cache.m, dy, dx]);
    });
  });

  test('a mask reaching it is replaced by its own, as in Keras', async () => {
    const masking = new Masking();
    expect(masking.supportsMasking).toBe(true);
    const x = tf.tensor3d([[[0], [2]]]);
    const incoming = tf.tensor2d([[1, 0]]);
    const mask = masking.computeMask(x, incoming);
    expect(Array.from(await mask.data())).toEqual([0, 1]);
    tf.dispose([x, incoming, mask]);
  });
});

describe('Masking parity with tfjs-layers on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  test('gives the same output and mask', async () => {
    const ours = new Masking({ maskValue: -1 });
    const theirs = tfl.layers.masking({ maskValue: -1 });
    const x = padded();
    const { y, cache } = ours.forward(x, { training: false });
    const want = theirs.apply(x) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual(Array.from(await want.data()));
    const mask = ours.computeMask(x, null);
    const wantMask = theirs.computeMask(x) as tf.Tensor;
    expect(Array.from(await mask.data())).toEqual(Array.from(await wantMask.data()).map(Number));
    tf.dispose([x, y, cache.m, want, mask, wantMask]);
  });
});
