import { useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { UpSampling2D } from './up-sampling-2d.js';

describeBrick('UpSampling2D', {
  brick: UpSampling2D,
  cases: [
    { title: '(2, the default)', config: {}, inputShape: [2, 3, 2], outputShape: [4, 6, 2] },
    { title: '([2, 3])', config: { size: [2, 3] }, inputShape: [2, 2, 1], outputShape: [4, 6, 1] },
    { title: '([1, 2]: columns only)', config: { size: [1, 2] }, inputShape: [3, 2, 2], outputShape: [3, 4, 2] },
  ],
  spec: [{ size: [2, 3], interpolation: 'nearest' }, { size: 4 }],
  errors: [
    {
      rejects: "'bilinear' by name (only 'nearest' is implemented)",
      config: { name: 'u', interpolation: 'bilinear' },
      message: `UpSampling2D 'u': interpolation must be 'nearest' (the only interpolation implemented), received "bilinear"`,
    },
    {
      rejects: 'an interpolation Keras does not know',
      config: { name: 'u', interpolation: 'area' as never },
      message: `UpSampling2D 'u': interpolation must be one of 'nearest', 'bilinear', 'bicubic', 'lanczos3', 'lanczos5', received "area"`,
    },
    {
      rejects: 'a size of 0',
      config: { name: 'u', size: 0 },
      message: "UpSampling2D 'u': size must be a positive integer, received 0",
    },
    {
      rejects: 'an input without height, width and channels',
      config: { name: 'u' },
      build: [4, 4],
      message: "UpSampling2D 'u': input must have shape [null, height, width, channels], received [null, 4, 4]",
    },
  ],
});

describe('UpSampling2D', () => {
  test('repeats each pixel size[0] times down and size[1] times across', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = new UpSampling2D({ size: [1, 2] }).forward(x, { training: false }).y;
    expect(y.shape).toEqual([1, 2, 4, 1]);
    expect(Array.from(await y.data())).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    tf.dispose([x, y]);
  });

  test('sums each pixel’s block of the upstream gradient', async () => {
    const up = new UpSampling2D({ size: 2 });
    const x = tf.zeros([1, 1, 2, 1]);
    const dy = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4, 1]);
    const { cache } = up.forward(x, { training: false });
    const { dx } = up.backward(dy, cache);
    expect(Array.from(await dx.data())).toEqual([1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
    tf.dispose([x, dy, dx]);
  });

  test('matches tfjs-layers upSampling2d (nearest) forward on cpu', async () => {
    await useBackend('cpu');
    const x = tf.randomUniform([2, 3, 4, 2], -1, 1, 'float32', 3);
    const sizes: (number | [number, number])[] = [2, [2, 3], [3, 1]];
    for (const size of sizes) {
      const ours = new UpSampling2D({ size }).forward(x, { training: false }).y;
      const pair = typeof size === 'number' ? [size, size] : [...size];
      const theirs = tfl.layers.upSampling2d({ size: pair }).apply(x) as tf.Tensor;
      expect(ours.shape).toEqual(theirs.shape);
      expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
      tf.dispose([ours, theirs]);
    }
    x.dispose();
  });
});
