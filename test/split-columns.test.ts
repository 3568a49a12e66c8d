/**
 * splitColumns (packages/core/src/split-columns.ts) against tf.split along axis 1: float32, int32 and bool
 * matrices in equal parts and given widths (one of them empty); its gradient under tfjs' autodiff, parts
 * left out included; one call of brickml's kernel on wasm; no leak.
 */
import { Random, splitColumns } from '@brickml/core';
import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';

forEachBackend((backend) => {
  test(`splitColumns equals tf.split along the columns for float32, int32 and bool matrices (${backend})`, async () => {
    const r = new Random(8);
    const matrices = [
      tf.tensor2d(r.uniformArray(5 * 12, -1, 1), [5, 12]),
      tf.tensor2d(
        Int32Array.from({ length: 5 * 12 }, (_, i) => 3 * i - 20),
        [5, 12],
        'int32',
      ),
      tf.tensor2d(
        Array.from({ length: 5 * 12 }, (_, i) => i % 4 === 1),
        [5, 12],
        'bool',
      ),
    ];
    // Three seeded random partitions of the 12 columns besides the fixed ones.
    const drawn = Array.from({ length: 3 }, () => {
      const cuts = [0, ...Array.from({ length: 1 + r.int(4) }, () => r.int(13)).sort((a, b) => a - b), 12];
      return cuts.slice(1).map((c, i) => c - (cuts[i] as number));
    });
    for (const t of matrices) {
      for (const sizes of [4, 3, 1, [8, 4], [2, 0, 7, 3], ...drawn]) {
        const ours = splitColumns(t, sizes);
        const theirs = tf.split(t, sizes, 1);
        const what = `${t.dtype}, sizes ${JSON.stringify(sizes)}`;
        expect(ours.length, what).toBe(theirs.length);
        for (const [i, part] of ours.entries()) {
          expect(part.dtype, what).toBe(t.dtype);
          expect(part.shape, what).toEqual(theirs[i]?.shape);
          expect(Array.from(await part.data()), `${what}, part ${i}`).toEqual(Array.from(await theirs[i]!.data()));
        }
        tf.dispose([...ours, ...theirs]);
      }
    }
    tf.dispose(matrices);
  });

  test(`splitColumns' gradient under tfjs' autodiff is tf.split's; one call of brickml's kernel on wasm; no leak (${backend})`, async () => {
    const x = tf.tensor2d(new Random(9).uniformArray(4 * 10, -1, 1), [4, 10]);
    const w = tf.tensor2d(new Random(10).uniformArray(4 * 3, -1, 1), [4, 3]);
    // Parts 0 and 2 only: the gradient of part 1 is zeros.
    const loss = (split: (t: tf.Tensor2D) => tf.Tensor[]) => (t: tf.Tensor) => {
      const [a, , c] = split(t as tf.Tensor2D);
      return tf.add(tf.sum(tf.mul(a!, w)), tf.sum(tf.square(c!)));
    };
    const [ours] = tf.grads(loss((t) => splitColumns(t, [3, 4, 3])))([x]);
    const [theirs] = tf.grads(loss((t) => tf.split(t, [3, 4, 3], 1)))([x]);
    expect(Array.from(await ours!.data())).toEqual(Array.from(await theirs!.data()));
    const names = (await tf.profile(() => splitColumns(x, 2))).kernels.map((k) => k.name);
    expect(names).toEqual([backend === 'wasm' ? 'BrickmlSplitColumns' : 'SplitV']);
    await expectNoLeak(() => {
      tf.dispose(splitColumns(x, [5, 5]));
    });
    tf.dispose([x, w, ours!, theirs!]);
  });
});
