import { useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { AveragePooling2D } from './average-pooling-2d.js';

describeBrick('AveragePooling2D', {
  brick: AveragePooling2D,
  cases: [
    { title: '(2x2 valid, odd size: tiles)', config: {}, inputShape: [5, 5, 2] },
    {
      title: '([2, 3] same, odd size: tiles, padding not counted)',
      config: { poolSize: [2, 3], padding: 'same' },
      inputShape: [5, 4, 2],
      skipAutodiff: { because: "tfjs' AvgPoolGrad counts the 'same' padding" },
    },
    {
      title: '(3x3 stride 2 same, padding not counted)',
      config: { poolSize: 3, strides: 2, padding: 'same' },
      inputShape: [5, 5, 2],
      // tfjs' AvgPoolGrad divides by the full window even where 'same' padding is not counted in the
      // forward, so autodiff is a wrong oracle there.
      skipAutodiff: { because: "tfjs' AvgPoolGrad counts the 'same' padding" },
    },
    { title: '([2, 3] stride 1 valid, overlapping)', config: { poolSize: [2, 3], strides: 1 }, inputShape: [5, 5, 2] },
  ],
  spec: [{ poolSize: 3, strides: [1, 2], padding: 'same' }],
  errors: [
    {
      rejects: 'a pool that leaves an empty output, naming the shapes',
      config: { name: 'a', poolSize: [1, 4] },
      build: [5, 3, 2],
      message:
        "AveragePooling2D 'a': pool [1, 4] is larger than the input [null, 5, 3, 2] with padding 'valid', which leaves an empty output",
    },
  ],
});

describe('AveragePooling2D', () => {
  test('matches tfjs-layers averagePooling2d forward on cpu', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 7, 6, 3], -1, 1, 'float32', 4);
    for (const c of [{ poolSize: 2 }, { poolSize: 3, strides: 2, padding: 'same' as const }]) {
      const ours = new AveragePooling2D(c).forward(x, { training: false }).y;
      const theirs = tfl.layers
        .averagePooling2d({ poolSize: c.poolSize, strides: c.strides, padding: c.padding })
        .apply(x) as tf.Tensor;
      expect(ours.shape).toEqual(theirs.shape);
      const [a, b] = [await ours.data(), await theirs.data()];
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] as number, 6);
      tf.dispose([ours, theirs]);
    }
    x.dispose();
  });
});
