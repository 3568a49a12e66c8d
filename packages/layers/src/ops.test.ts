import { Random } from '@brickml/core';
import { forEachBackend, maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import { broadcast, columnSums } from './ops.js';

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

  test(`columnSums equals tf.sum over the rows, as one product on wasm (${backend})`, async () => {
    const r = new Random(9);
    for (const [m, n] of [
      [1, 1],
      [128, 512],
      [37, 13],
      [500, 3],
    ] as const) {
      const t = tf.tensor2d(Float32Array.from(r.uniformArray(m * n, -1, 1)), [m, n]);
      const info = await tf.profile(() => columnSums(t));
      const ours = info.result as tf.Tensor;
      const theirs = tf.sum(t, 0);
      expect(ours.shape).toEqual([n]);
      // Sums of m values ≤ 1 in another order: each rounding at most 2⁻²⁴ of a partial sum ≤ m.
      expect(await maxDiff(ours, theirs), `[${m}, ${n}]`).toBeLessThanOrEqual(m * m * 2 ** -24);
      const names = info.kernels.map((k) => k.name);
      expect(names.includes('BrickmlMatMul'), names.join(', ')).toBe(backend === 'wasm');
      tf.dispose([t, ours, theirs]);
    }
  });
});
