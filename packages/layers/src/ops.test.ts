import { forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import { broadcast } from './ops.js';

// On cpu broadcast is tf.broadcastTo itself; on wasm and webgpu a product with ones, checked here.
forEachBackend((backend) => {
  test(`broadcast equals tf.broadcastTo, leading axes, -0, NaN and ±Infinity included (${backend})`, async () => {
    const values = [-0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -2, 0, 3];
    const cases: [number[], number[]][] = [
      [
        [2, 1, 1, 2],
        [2, 3, 4, 2],
      ],
      [
        [1, 8],
        [5, 8],
      ],
      [[8], [3, 2, 8]],
      [
        [4, 1, 2],
        [4, 3, 2],
      ],
      [
        [2, 4],
        [2, 4],
      ],
    ];
    for (const [from, to] of cases) {
      const size = from.reduce((n, d) => n * d, 1);
      const t = tf.tensor(
        Array.from({ length: size }, (_, i) => values[i % values.length] as number),
        from,
      );
      const ours = broadcast(t, to);
      const theirs = tf.broadcastTo(t, to);
      expect(ours.shape, `${from} → ${to}`).toEqual(to);
      const [a, b] = [await ours.data(), await theirs.data()];
      // Object.is tells -0 from 0 and NaN from NaN.
      expect(
        Array.from(a).every((v, i) => Object.is(v, b[i])),
        `${from} → ${to}`,
      ).toBe(true);
      tf.dispose([t, ours, theirs]);
    }
  });
});
