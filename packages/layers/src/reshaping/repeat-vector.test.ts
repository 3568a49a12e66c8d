import { useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import { RepeatVector } from './repeat-vector.js';

describeBrick('RepeatVector', {
  brick: RepeatVector,
  cases: [
    { config: { n: 3 }, inputShape: [4], outputShape: [3, 4] },
    { title: '(n = 1)', config: { n: 1 }, inputShape: [2], outputShape: [1, 2] },
  ],
  spec: [{ n: 5 }, { name: 'repeat', n: 2 }],
  errors: [
    {
      rejects: 'an n of 0',
      config: { name: 'r', n: 0 },
      message: "RepeatVector 'r': n must be a positive integer, received 0",
    },
    {
      rejects: 'a sequence input, naming its shape',
      config: { name: 'r', n: 2 },
      build: [3, 4],
      message: "RepeatVector 'r': input must have shape [null, features], received [null, 3, 4]",
    },
  ],
});

describe('RepeatVector', () => {
  test('repeats each vector n times and sums the steps of dy back', async () => {
    const repeat = new RepeatVector({ n: 3 });
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const { y, cache } = repeat.forward(x, { training: false });
    expect(await y.array()).toEqual([
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
      [
        [3, 4],
        [3, 4],
        [3, 4],
      ],
    ]);
    const dy = tf.reshape(tf.range(1, 13), [2, 3, 2]);
    const { dx } = repeat.backward(dy, cache);
    expect(await dx.array()).toEqual([
      [1 + 3 + 5, 2 + 4 + 6],
      [7 + 9 + 11, 8 + 10 + 12],
    ]);
    tf.dispose([x, y, dy, dx]);
  });
});

describe('RepeatVector parity with tfjs-layers on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  test('gives the same output', async () => {
    const x = tf.randomUniform([3, 5], -1, 1, 'float32', 2);
    const { y } = new RepeatVector({ n: 4 }).forward(x, { training: false });
    const want = tfl.layers.repeatVector({ n: 4 }).apply(x) as tf.Tensor;
    expect(y.shape).toEqual(want.shape);
    expect(Array.from(await y.data())).toEqual(Array.from(await want.data()));
    tf.dispose([x, y, want]);
  });
});
