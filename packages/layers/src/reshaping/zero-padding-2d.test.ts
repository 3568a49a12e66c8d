import { useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import type { Margins2D } from './margins-2d.js';
import { ZeroPadding2D } from './zero-padding-2d.js';

describeBrick('ZeroPadding2D', {
  brick: ZeroPadding2D,
  cases: [
    { title: '(1 on every side, the default)', config: {}, inputShape: [2, 3, 2], outputShape: [4, 5, 2] },
    {
      title: '([2, 1]: symmetric per axis)',
      config: { padding: [2, 1] },
      inputShape: [2, 2, 1],
      outputShape: [6, 4, 1],
    },
    {
      title: '([[1, 2], [0, 3]]: per side)',
      config: {
        padding: [
          [1, 2],
          [0, 3],
        ],
      },
      inputShape: [2, 2, 1],
      outputShape: [5, 5, 1],
    },
  ],
  spec: [
    {
      padding: [
        [1, 2],
        [0, 3],
      ],
    },
    { padding: [2, [0, 1]] },
    { padding: 0 },
  ],
  errors: [
    {
      rejects: 'a negative padding',
      config: { name: 'z', padding: -1 },
      message: "ZeroPadding2D 'z': padding must be a non-negative integer, received -1",
    },
    {
      rejects: 'a padding of three numbers',
      config: { name: 'z', padding: [1, 2, 3] as never },
      message:
        "ZeroPadding2D 'z': padding must be a non-negative integer, [height, width] or [[top, bottom], [left, right]], received [1,2,3]",
    },
    {
      rejects: 'a negative side, naming it',
      config: { name: 'z', padding: [[1, -2], 3] },
      message: "ZeroPadding2D 'z': padding[0][1] must be a non-negative integer, received -2",
    },
    {
      rejects: 'an input without height, width and channels',
      config: { name: 'z' },
      build: [4, 4],
      message: "ZeroPadding2D 'z': input must have shape [null, height, width, channels], received [null, 4, 4]",
    },
  ],
});

describe('ZeroPadding2D', () => {
  test('surrounds the image with zeros, top/bottom and left/right as given', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = new ZeroPadding2D({
      padding: [
        [1, 0],
        [0, 1],
      ],
    }).forward(x, { training: false }).y;
    expect(y.shape).toEqual([1, 3, 3, 1]);
    expect(Array.from(await y.data())).toEqual([0, 0, 0, 1, 2, 0, 3, 4, 0]);
    tf.dispose([x, y]);
  });

  test('matches tfjs-layers zeroPadding2d forward on cpu', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 3, 4, 2], -1, 1, 'float32', 3);
    const forms: Margins2D[] = [
      1,
      [2, 1],
      [
        [1, 2],
        [0, 3],
      ],
    ];
    for (const padding of forms) {
      const ours = new ZeroPadding2D({ padding }).forward(x, { training: false }).y;
      const theirs = tfl.layers.zeroPadding2d({ padding: padding as never }).apply(x) as tf.Tensor;
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      tf.dispose([ours, theirs]);
    }
    x.dispose();
  });
});
