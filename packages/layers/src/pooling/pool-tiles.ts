/**
 * Pooling windows that tile the input (window = stride, the Keras default): the padded input cut to
 * [N, OH·k0, OW·k1, C] is [N·OH, k0, OW, k1, C] by a reshape, so window (i, j) of row n is one block and
 * y or dy [N·OH, 1, OW, 1, C] broadcasts over its cells. Backward passes built this way need no strided
 * views (wasm's StridedSlice is a generic element loop: 4 views of the mnist_cnn pool took ~1.2 s).
 */
import * as tf from '@tensorflow/tfjs-core';
import { padOrCrop, type windowAxis } from '../convolutional/conv-utils.js';

type Axis = ReturnType<typeof windowAxis>;

/** Whether the windows tile the input, so that the block layout applies. */
export function tiles(k: [number, number], s: [number, number]): boolean {
  return k[0] === s[0] && k[1] === s[1];
}

/** x [N,H,W,C] padded with `value` as the windows need and cut to whole windows: [N·OH, k0, OW, k1, C]. */
export function toBlocks(x: tf.Tensor4D, k: [number, number], rows: Axis, cols: Axis, value = 0): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const cut = padOrCrop(
    x,
    { before: rows.before, after: rows.out * k[0] - h - rows.before },
    { before: cols.before, after: cols.out * k[1] - w - cols.before },
    value,
  );
  return tf.reshape(cut, [n * rows.out, k[0], cols.out, k[1], c]);
}

/** Adjoint of toBlocks: blocks [N·OH, k0, OW, k1, C] back to [N,H,W,C], zeros where no window reads. */
export function fromBlocks(
  blocks: tf.Tensor,
  k: [number, number],
  rows: Axis,
  cols: Axis,
  [n, h, w, c]: readonly number[],
): tf.Tensor4D {
  const grid = tf.reshape(blocks, [n as number, rows.out * k[0], cols.out * k[1], c as number]) as tf.Tensor4D;
  return padOrCrop(
    grid,
    { before: -rows.before, after: (h as number) - rows.out * k[0] + rows.before },
    { before: -cols.before, after: (w as number) - cols.out * k[1] + cols.before },
  );
}

/** y or dy [N,OH,OW,C] as [N·OH, 1, OW, 1, C], to broadcast over the blocks. */
export function perBlock(t: tf.Tensor4D): tf.Tensor {
  const [n, oh, ow, c] = t.shape;
  return tf.reshape(t, [n * oh, 1, ow, 1, c]);
}

/**
 * Max pooling's backward on tiling windows: dy goes to the first argmax of each window in row-major
 * window order. Cell (a, b) of a window scores −(a·k1 + b), less k0·k1 where it is below the maximum,
 * so the window's greatest score (a max pooling of the scores) is its first argmax. Only ops that wasm
 * runs fast: step, broadcast sub and mul, max pooling (its broadcasting Equal took ~0.5 s a call on the
 * mnist_cnn pool, its Sign several times step's time).
 */
export function routeToMaxInTiles(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  k: [number, number],
  rows: Axis,
  cols: Axis,
  lowest: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const size = k[0] * k[1];
    const [n, oh, ow, c] = y.shape;
    const order = tf.reshape(tf.range(0, -size, -1, 'float32'), [1, k[0], 1, k[1], 1]);
    // y − x ≥ 0, and step(y − x) = 1 exactly where x is below the maximum.
    const below = tf.step(tf.sub(perBlock(y), toBlocks(x, k, rows, cols, lowest)));
    const score = tf.sub(order, tf.mul(below, tf.scalar(size)));
    const grid = tf.reshape(score, [n, oh * k[0], ow * k[1], c]) as tf.Tensor4D;
    // Scores are integers: step(score − best + ½) marks the window's best cell alone.
    const best = tf.sub(tf.maxPool(grid, k, k, 'valid'), tf.scalar(0.5)) as tf.Tensor4D;
    const first = tf.step(tf.sub(score, perBlock(best)));
    return fromBlocks(tf.mul(first, perBlock(dy)), k, rows, cols, x.shape);
  });
}

/** Average pooling's backward on tiling windows: every cell of window (i, j) gets dy[i, j] / |Ω_ij|. */
export function spreadMeanInTiles(
  dy: tf.Tensor4D,
  k: [number, number],
  rows: Axis,
  cols: Axis,
  xShape: readonly number[],
): tf.Tensor4D {
  return tf.tidy(() => {
    // |Ω_ij|: the window's cells inside the input ('same' padding is not counted).
    const inside = toBlocks(tf.ones([1, xShape[1] as number, xShape[2] as number, 1]), k, rows, cols);
    const count = tf.reshape(tf.sum(inside, [1, 3]), [1, rows.out, cols.out, 1]);
    const g = perBlock(tf.div(dy, count) as tf.Tensor4D);
    return fromBlocks(tf.mul(g, tf.ones([1, k[0], 1, k[1], 1])), k, rows, cols, xShape);
  });
}
