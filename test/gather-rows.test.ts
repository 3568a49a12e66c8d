/**
 * gatherRows (packages/core/src/gather-rows.ts) against tf.gather along axis 0: float32, int32 and bool rows
 * in any order and with repeats, one call of brickml's kernel on wasm, no leak, and a refused index.
 */
import { gatherRows, Random, setOwnKernels } from '@brickml/core';
import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, expect, test } from 'vitest';

afterEach(() => setOwnKernels(true));

forEachBackend((backend) => {
  test(`gatherRows equals tf.gather along axis 0 for float32, int32 and bool rows (${backend})`, async () => {
    const r = new Random(3);
    const order = Int32Array.from(r.permutation(11));
    const picks = [order.subarray(2, 9), [4, 4, 0, 10], [7]];
    const tensors = [
      tf.tensor(r.uniformArray(11 * 3 * 2, -1, 1), [11, 3, 2]),
      tf.tensor1d(
        Int32Array.from({ length: 11 }, (_, i) => 3 * i - 7),
        'int32',
      ),
      tf.tensor2d(
        Array.from({ length: 22 }, (_, i) => (i * 7) % 3 === 0),
        [11, 2],
        'bool',
      ),
    ];
    for (const t of tensors) {
      for (const indices of picks) {
        const ours = gatherRows(t, indices);
        const theirs = tf.gather(t, tf.tensor1d(Int32Array.from(indices), 'int32'));
        expect(ours.dtype).toBe(t.dtype);
        expect(ours.shape).toEqual(theirs.shape);
        expect(await ours.data(), `${t.dtype} rows ${Array.from(indices)}`).toEqual(await theirs.data());
        tf.dispose([ours, theirs]);
      }
    }
    tf.dispose(tensors);
  });

  test(`gatherRows is one call of brickml's kernel on wasm, GatherV2 elsewhere; no leak (${backend})`, async () => {
    const t = tf.tensor2d(new Random(4).uniformArray(40, 0, 1), [10, 4]);
    const names = async () => (await tf.profile(() => gatherRows(t, [3, 1, 2]))).kernels.map((k) => k.name);
    expect(await names()).toEqual(backend === 'wasm' ? ['BrickmlGatherRows'] : ['GatherV2']);
    setOwnKernels(false);
    expect(await names()).toEqual(['GatherV2']);
    setOwnKernels(true);
    await expectNoLeak(() => {
      gatherRows(t, [9, 0]).dispose();
    });
    expect(() => gatherRows(t, [2, 10])).toThrow(
      'gatherRows: indices must be whole numbers in [0, 10), received 10 at 1',
    );
    t.dispose();
  });
});
