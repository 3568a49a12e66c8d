/**
 * pad2d (packages/core/src/pad.ts) against tf.pad: float32, int32 and bool images, pads on any side or none,
 * over memory that held other numbers before (the border must be written, not assumed zero); its gradient
 * under tfjs' autodiff; one call of brickml's kernel on wasm; no leak; refused pads.
 */
import { pad2d, Random } from '@brickml/core';
import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';

type Pads = [[number, number], [number, number]];

forEachBackend((backend) => {
  test(`pad2d equals tf.pad for float32, int32 and bool images, pads on any side (${backend})`, async () => {
    const r = new Random(4);
    const shapes: [number, number, number, number][] = [
      [2, 3, 4, 5],
      [1, 1, 1, 1],
      [3, 5, 2, 3],
      [2, 0, 3, 2],
      // Three seeded random shapes.
      ...Array.from(
        { length: 3 },
        () => [1 + r.int(3), 1 + r.int(9), 1 + r.int(9), 1 + r.int(6)] as [number, number, number, number],
      ),
    ];
    const padsList: Pads[] = [
      [
        [2, 2],
        [2, 2],
      ],
      [
        [0, 1],
        [3, 0],
      ],
      [
        [1, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 2],
      ],
    ];
    for (const shape of shapes) {
      const size = shape.reduce((a, b) => a * b, 1);
      const tensors = [
        tf.tensor4d(r.uniformArray(size, -1, 1), shape),
        tf.tensor4d(
          Int32Array.from({ length: size }, (_, i) => 5 * i - 9),
          shape,
          'int32',
        ),
        tf.tensor4d(
          Array.from({ length: size }, (_, i) => i % 3 === 1),
          shape,
          'bool',
        ),
      ];
      for (const t of tensors) {
        for (const pads of padsList) {
          // Freed memory full of other numbers, which the allocator may hand the output next.
          tf.fill([shape[0] * 40, 40], 7, t.dtype === 'bool' ? 'int32' : t.dtype).dispose();
          const ours = pad2d(t, pads);
          const theirs = tf.pad(t, [[0, 0], ...pads, [0, 0]]);
          const what = `${t.dtype} [${shape}] pads ${JSON.stringify(pads)}`;
          expect(ours.dtype, what).toBe(t.dtype);
          expect(ours.shape, what).toEqual(theirs.shape);
          expect(Array.from(await ours.data()), what).toEqual(Array.from(await theirs.data()));
          tf.dispose([ours, theirs]);
        }
      }
      tf.dispose(tensors);
    }
  });

  test(`pad2d's gradient under tfjs' autodiff is tf.pad's; one call of brickml's kernel on wasm; no leak (${backend})`, async () => {
    const x = tf.tensor4d(new Random(5).uniformArray(2 * 4 * 3 * 2, -1, 1), [2, 4, 3, 2]);
    const pads: Pads = [
      [1, 2],
      [2, 0],
    ];
    const w = tf.tensor4d(new Random(6).uniformArray(2 * 7 * 5 * 2, -1, 1), [2, 7, 5, 2]);
    const [ours] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(pad2d(a as tf.Tensor4D, pads), w)))([x]);
    const [theirs] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.pad(a, [[0, 0], ...pads, [0, 0]]), w)))([x]);
    expect(Array.from(await ours!.data())).toEqual(Array.from(await theirs!.data()));
    const names = (await tf.profile(() => pad2d(x, pads))).kernels.map((k) => k.name);
    expect(names).toEqual([backend === 'wasm' ? 'BrickmlPad' : 'PadV2']);
    await expectNoLeak(() => {
      pad2d(x, pads).dispose();
    });
    expect(
      pad2d(x, [
        [0, 0],
        [0, 0],
      ]),
    ).toBe(x);
    expect(() =>
      pad2d(x, [
        [0, -1],
        [0, 0],
      ]),
    ).toThrow('pad2d: pads must be whole numbers of 0 or more, received [[0,-1],[0,0]]');
    tf.dispose([x, w, ours!, theirs!]);
  });
});
