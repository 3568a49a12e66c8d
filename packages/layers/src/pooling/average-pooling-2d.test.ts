import { useBackend } from '@brickml/core';
import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { AveragePooling2D, type AveragePooling2DConfig } from './average-pooling-2d.js';

describe('AveragePooling2D', () => {
  forEachBackend(() => {
    const cases: [string, AveragePooling2DConfig][] = [
      ['2x2 valid', {}],
      ['3x3 stride 2 same (padding not counted)', { poolSize: 3, strides: 2, padding: 'same' }],
      ['[2, 3] stride 1 valid (overlapping)', { poolSize: [2, 3], strides: 1 }],
    ];
    for (const [what, config] of cases) {
      test(`backward (${what}) matches autodiff and finite differences`, async () => {
        const pool = new AveragePooling2D(config);
        // tfjs' AvgPoolGrad divides by the full window even where 'same' padding is not counted in the
        // forward, so autodiff is a wrong oracle there: finite differences alone check that case.
        if (config.padding !== 'same') await expectBackwardMatchesAutodiff(pool, [5, 5, 2]);
        await expectFiniteDifferences(pool, [5, 5, 2]);
      });
    }
  });

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

  test('leaks no tensor through forward and backward', async () => {
    const pool = new AveragePooling2D({ poolSize: 3, strides: 2, padding: 'same' });
    const x = tf.randomUniform([2, 5, 5, 2]);
    const dy = tf.ones([2, 3, 3, 2]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        pool.backward(dy, pool.forward(x, { training: true }).cache);
      });
    });
    tf.dispose([x, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new AveragePooling2D({ poolSize: 3, strides: [1, 2], padding: 'same' }));
  });

  test('rejects a pool that leaves an empty output, naming the shapes', () => {
    expect(() => new AveragePooling2D({ name: 'a', poolSize: [1, 4] }).build([5, 3, 2])).toThrow(
      "AveragePooling2D 'a': pool [1, 4] is larger than the input [null, 5, 3, 2] with padding 'valid', which leaves an empty output",
    );
  });
});
