import { useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { Cropping2D } from './cropping-2d.js';
import type { Margins2D } from './margins-2d.js';

describeBrick('Cropping2D', {
  brick: Cropping2D,
  cases: [
    { title: '(1 on every side)', config: { cropping: 1 }, inputShape: [4, 5, 2], outputShape: [2, 3, 2] },
    {
      title: '([1, 2]: symmetric per axis)',
      config: { cropping: [1, 2] },
      inputShape: [4, 5, 1],
      outputShape: [2, 1, 1],
    },
    {
      title: '([[1, 0], [2, 1]]: per side)',
      config: {
        cropping: [
          [1, 0],
          [2, 1],
        ],
      },
      inputShape: [3, 5, 2],
      outputShape: [2, 2, 2],
    },
    { title: '(0, the default: nothing)', config: {}, inputShape: [2, 2, 1], outputShape: [2, 2, 1] },
  ],
  spec: [
    {
      cropping: [
        [1, 0],
        [2, 1],
      ],
    },
    { cropping: [1, 2] },
    {},
  ],
  errors: [
    {
      rejects: 'a cropping that leaves nothing of the input, naming both',
      config: {
        name: 'c',
        cropping: [
          [2, 2],
          [0, 0],
        ],
      },
      build: [4, 6, 1],
      message:
        "Cropping2D 'c': cropping [[2, 2], [0, 0]] leaves nothing of the input [null, 4, 6, 1]: top + bottom must be less than the height and left + right less than the width",
    },
    {
      rejects: 'a cropping wider than the input',
      config: { name: 'c', cropping: [0, 4] },
      build: [4, 6, 1],
      message:
        "Cropping2D 'c': cropping [[0, 0], [4, 4]] leaves nothing of the input [null, 4, 6, 1]: top + bottom must be less than the height and left + right less than the width",
    },
    {
      rejects: 'a negative cropping',
      config: { name: 'c', cropping: -1 },
      message: "Cropping2D 'c': cropping must be a non-negative integer, received -1",
    },
    {
      rejects: 'an input without height, width and channels',
      config: { name: 'c' },
      build: [4, 4],
      message: "Cropping2D 'c': input must have shape [null, height, width, channels], received [null, 4, 4]",
    },
  ],
});

describe('Cropping2D', () => {
  test('removes rows and columns at the edges', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const y = new Cropping2D({
      cropping: [
        [1, 0],
        [0, 1],
      ],
    }).forward(x, { training: false }).y;
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(await y.data())).toEqual([4, 5, 7, 8]);
    tf.dispose([x, y]);
  });

  test('matches tfjs-layers cropping2D forward on cpu', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 6, 7, 2], -1, 1, 'float32', 3);
    const forms: Margins2D[] = [
      1,
      [2, 1],
      [
        [1, 2],
        [0, 3],
      ],
    ];
    for (const cropping of forms) {
      const ours = new Cropping2D({ cropping }).forward(x, { training: false }).y;
      const theirs = tfl.layers.cropping2D({ cropping: cropping as never }).apply(x) as tf.Tensor;
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      tf.dispose([ours, theirs]);
    }
    x.dispose();
  });
});
