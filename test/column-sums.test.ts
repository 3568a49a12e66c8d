/**
 * columnSums (packages/core/src/column-sums.ts) against tf.sum(t, 0): on wasm brickml's kernel, which adds
 * the rows in order, four columns at a time and a scalar tail; elsewhere tf.sum itself.
 */
import { columnSums, Random, setOwnKernels } from '@brickml/core';
import { expectNoLeak, forEachBackend, maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, test } from 'vitest';

afterEach(() => setOwnKernels(true));

forEachBackend((backend) => {
  test(`columnSums equals the rows added in order, on vector tails and random shapes (${backend})`, async () => {
    const r = new Random(3);
    const drawn = Array.from({ length: 4 }, () => [1 + r.int(300), 1 + r.int(70)]);
    for (const [m, n] of [[1, 1], [3, 4], [5, 7], [128, 10], [2, 512], ...drawn] as [number, number][]) {
      const values = Float32Array.from(new Random(m * n).uniformArray(m * n, -1, 1));
      const t = tf.tensor2d(values, [m, n]);
      const ours = columnSums(t);
      // In float32, row after row: the order the kernel (and the product it replaced) adds in.
      const inOrder = new Float32Array(n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) inOrder[j] = Math.fround(inOrder[j]! + values[i * n + j]!);
      expect(ours.shape).toEqual([n]);
      const what = `[${m}, ${n}]`;
      if (backend === 'wasm') expect(Array.from(await ours.data()), what).toEqual(Array.from(inOrder));
      else expect(await maxDiff(ours, tf.sum(t, 0)), what).toBeLessThanOrEqual(m * 2 ** -22);
      tf.dispose([t, ours]);
    }
  });

  test(`columnSums is one kernel of brickml's own on wasm, its gradient spreads dy over the rows, and it leaks nothing (${backend})`, async () => {
    const t = tf.tensor2d(Float32Array.from(new Random(1).uniformArray(35, -1, 1)), [7, 5]);
    const info = await tf.profile(() => columnSums(t));
    expect(info.kernels.map((k) => k.name)).toEqual([backend === 'wasm' ? 'BrickmlColumnSums' : 'Sum']);
    (info.result as tf.Tensor).dispose();
    const w = tf.tensor1d([1, -2, 3, 0.5, 4]);
    const [grad] = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(columnSums(x as tf.Tensor2D), w)))([t]);
    expect(grad!.shape).toEqual([7, 5]);
    expect(Array.from(await grad!.data())).toEqual(Array.from({ length: 35 }, (_, i) => [1, -2, 3, 0.5, 4][i % 5]));
    await expectNoLeak(async () => {
      const s = columnSums(t);
      await s.data();
      s.dispose();
    });
    tf.dispose([t, w, grad!]);
  });
});
