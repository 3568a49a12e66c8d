/**
 * Window arithmetic shared by the convolution and pooling bricks (channels-last, Keras/TensorFlow rules):
 * effective size k' = (k-1)·d + 1; 'valid': out = ⌊(n - k')/s⌋ + 1; 'same': out = ⌈n/s⌉ with
 * total padding max((out-1)·s + k' - n, 0), the extra pixel at the bottom/right.
 * A pooling window is k·k strided views of the padded input; their adjoint puts each view back in place.
 * A convolution's adjoint is a stride-1 correlation of dz spread by the strides with the flipped kernel.
 */
import { BrickError, formatShape, pad2d, positiveInt, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { makeRegularizer, type Regularizer, type RegularizerConfig } from '../regularizers.js';

/** A window size, stride or dilation: one positive integer for both axes, or [height, width]. */
export const Pair = z.union([positiveInt(), z.tuple([positiveInt(), positiveInt()])]);
export type Pair = z.input<typeof Pair>;
export const Padding = z.enum(['valid', 'same']);
export type Padding = z.infer<typeof Padding>;

export function pair(p: Pair): [number, number] {
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
}

/** One spatial axis: output length and padding before/after. */
export function windowAxis(n: number, k: number, s: number, d: number, padding: Padding) {
  const kEff = (k - 1) * d + 1;
  if (padding === 'valid') return { out: n >= kEff ? Math.floor((n - kEff) / s) + 1 : 0, before: 0, after: 0 };
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + kEff - n, 0);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** Checks that `inputShape` is [height, width, channels] and the window fits; returns both axes. */
export function windowShape(
  label: string,
  inputShape: Shape,
  what: string,
  k: [number, number],
  s: [number, number],
  d: [number, number],
  padding: Padding,
) {
  if (inputShape.length !== 3) {
    throw new BrickError(
      `${label}: input must have shape [null, height, width, channels] (rank 4 with the batch), received ${formatShape([null, ...inputShape])}`,
      label,
    );
  }
  const rows = windowAxis(inputShape[0] as number, k[0], s[0], d[0], padding);
  const cols = windowAxis(inputShape[1] as number, k[1], s[1], d[1], padding);
  if (rows.out === 0 || cols.out === 0) {
    const eff = [(k[0] - 1) * d[0] + 1, (k[1] - 1) * d[1] + 1];
    throw new BrickError(
      `${label}: ${what} ${formatShape(eff)} is larger than the input ${formatShape([null, ...inputShape])} with padding '${padding}', which leaves an empty output`,
      label,
    );
  }
  return { rows, cols };
}

type Axis = ReturnType<typeof windowAxis>;

/** x [N,H,W,C] padded with `value` as the window needs. */
export function padWindow(x: tf.Tensor4D, rows: Axis, cols: Axis, value = 0): tf.Tensor4D {
  if (rows.before + rows.after + cols.before + cols.after === 0) return x;
  return tf.pad(
    x,
    [
      [0, 0],
      [rows.before, rows.after],
      [cols.before, cols.after],
      [0, 0],
    ],
    value,
  );
}

/** The k[0]·k[1] views xp[n, i·s + a, j·s + b, c] of a padded input, one [N,OH,OW,C] per offset (a, b), row-major. */
export function windowViews(xp: tf.Tensor4D, k: [number, number], s: [number, number], rows: Axis, cols: Axis) {
  const [n, , , c] = xp.shape;
  const views: tf.Tensor4D[] = [];
  for (let a = 0; a < k[0]; a++) {
    for (let b = 0; b < k[1]; b++) {
      const end = [n, a + (rows.out - 1) * s[0] + 1, b + (cols.out - 1) * s[1] + 1, c];
      views.push(tf.stridedSlice(xp, [0, a, b, 0], end, [1, s[0], s[1], 1]) as tf.Tensor4D);
    }
  }
  return views;
}

/**
 * Adjoint of windowViews followed by padWindow: Σ over offsets of each view put back at its strided
 * positions, cropped to the unpadded input [N,H,W,C].
 */
export function placeViews(
  views: tf.Tensor4D[],
  k: [number, number],
  s: [number, number],
  rows: Axis,
  cols: Axis,
  inputShape: readonly number[],
): tf.Tensor4D {
  const [n, h, w, c] = inputShape as [number, number, number, number];
  const [hp, wp] = [h + rows.before + rows.after, w + cols.before + cols.after];
  let acc: tf.Tensor4D | null = null;
  views.forEach((v, idx) => {
    const [a, b] = [Math.floor(idx / k[1]), idx % k[1]];
    // Interleave s-1 zeros after every row/column, then shift by the offset and crop to the padded size.
    let u = interleaveZeros(v, s);
    const [kr, kc] = [Math.min(rows.out * s[0], hp - a), Math.min(cols.out * s[1], wp - b)];
    if (kr < rows.out * s[0] || kc < cols.out * s[1]) u = tf.slice(u, 0, [n, kr, kc, c]);
    const placed = tf.pad(u, [
      [0, 0],
      [a, hp - a - kr],
      [b, wp - b - kc],
      [0, 0],
    ]);
    acc = acc ? (tf.add(acc, placed) as tf.Tensor4D) : placed;
  });
  const sum = acc as unknown as tf.Tensor4D;
  return rows.before + rows.after + cols.before + cols.after === 0
    ? sum
    : tf.slice(sum, [0, rows.before, cols.before, 0], [n, h, w, c]);
}

/**
 * t [N,H,W,C] → [N, H·s0, W·s1, C] with s-1 zeros after every row and column (rank-4 ops only:
 * webgpu mishandles rank-6 pads).
 */
export function interleaveZeros(t: tf.Tensor4D, [s0, s1]: [number, number]): tf.Tensor4D {
  const [n, h, w, c] = t.shape;
  let out = t;
  if (s0 > 1) {
    const rows = tf.pad(tf.reshape(out, [n, h, 1, w * c]), [
      [0, 0],
      [0, 0],
      [0, s0 - 1],
      [0, 0],
    ]);
    out = tf.reshape(rows, [n, h * s0, w, c]);
  }
  if (s1 > 1) {
    const cols = tf.pad(tf.reshape(out, [n * h * s0, w, 1, c]), [
      [0, 0],
      [0, 0],
      [0, s1 - 1],
      [0, 0],
    ]);
    out = tf.reshape(cols, [n, h * s0, w * s1, c]);
  }
  return out;
}

const poolShape = {
  /** Window size, one number or [height, width]. Default: 2. */
  poolSize: Pair.default(2),
  /** Step of the window. Default: poolSize. */
  strides: Pair.optional(),
  /** 'valid' (no padding) or 'same' (pad so that out = ⌈in/stride⌉). Default: 'valid'. */
  padding: Padding.default('valid'),
};
type PoolShape = typeof poolShape;
/** Config fields shared by MaxPooling2D and AveragePooling2D, Keras names and defaults (an interface, so the .d.ts of each config names it and its fields keep their docs on hover). */
export interface PoolFields extends PoolShape {}
export const poolFields: PoolFields = poolShape;

/** Keras refuses strides and dilation both above 1 (the taps of a strided atrous window skip inputs). */
export function checkStridesDilation(label: string, s: [number, number] | number, d: [number, number] | number): void {
  const above = (p: [number, number] | number) => (typeof p === 'number' ? p > 1 : p[0] > 1 || p[1] > 1);
  if (above(s) && above(d)) {
    const show = (p: [number, number] | number) => (typeof p === 'number' ? String(p) : formatShape(p));
    throw new BrickError(
      `${label}: strides and dilationRate cannot both exceed 1, received strides ${show(s)} and dilationRate ${show(d)}`,
      label,
    );
  }
}

/** Kernel size, strides, dilation and the window axes of one strided 2-D convolution. */
export interface Geometry {
  k: [number, number];
  s: [number, number];
  d: [number, number];
  rows: Axis;
  cols: Axis;
}

/**
 * dz with s−1 zeros between entries, padded by (k−1)·d − before on top/left and the rest on bottom/right,
 * so that a valid stride-1 correlation with the flipped kernel (dilation d) gives the [N, h, w, ·] adjoint
 * of the convolution: dx[p] = Σ_a dz↑[p + before − a·d]·W[a].
 */
export function spreadForAdjoint(dz: tf.Tensor4D, g: Geometry, h: number, w: number): tf.Tensor4D {
  const [n, oh, ow, f] = dz.shape;
  const [[kh, kw], [sh, sw], [dh, dw]] = [g.k, g.s, g.d];
  let up = dz;
  if (sh > 1 || sw > 1) {
    up = tf.slice(interleaveZeros(dz, [sh, sw]), 0, [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, f]);
  }
  const top = (kh - 1) * dh - g.rows.before;
  const left = (kw - 1) * dw - g.cols.before;
  return pad2d(up, [
    [top, h + (kh - 1) * dh - top - up.shape[1]],
    [left, w + (kw - 1) * dw - left - up.shape[2]],
  ]);
}

/**
 * x [N,H,W,C] with `before` rows/columns of `value` added on top/left and `after` on bottom/right;
 * negative counts crop.
 */
export function padOrCrop(
  x: tf.Tensor4D,
  rows: Pick<Axis, 'before' | 'after'>,
  cols: Pick<Axis, 'before' | 'after'>,
  value = 0,
): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [top, bottom, left, right] = [rows.before, rows.after, cols.before, cols.after];
  const [cropTop, cropLeft] = [Math.max(-top, 0), Math.max(-left, 0)];
  const [keepH, keepW] = [h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0)];
  const cropped = keepH < h || keepW < w ? tf.slice(x, [0, cropTop, cropLeft, 0], [n, keepH, keepW, c]) : x;
  const pad = (p: number) => Math.max(p, 0);
  if (pad(top) + pad(bottom) + pad(left) + pad(right) === 0) return cropped;
  return tf.pad(
    cropped,
    [
      [0, 0],
      [pad(top), pad(bottom)],
      [pad(left), pad(right)],
      [0, 0],
    ],
    value,
  );
}

/** The regularizers a config names, keyed by parameter; parameters a brick lacks (no bias) are left out. */
export function pickRegularizers<K extends string>(
  table: Record<K, RegularizerConfig | undefined>,
  params: Partial<Record<K, tf.Variable>>,
): Partial<Record<K, Regularizer>> {
  const made: Partial<Record<K, Regularizer>> = {};
  for (const key of Object.keys(table) as K[]) {
    const config = table[key];
    if (config !== undefined && params[key]) made[key] = makeRegularizer(config);
  }
  return made;
}

/**
 * The k·k taps of x [N,H,W,C] as seen by a strided, dilated window: for tap (a, b), x laid out [C, N, H, W]
 * (padded by the window's before/after), sliced from (a·d) with stride s to [C, N, OH, OW]. Reshaped, they
 * are the rows of the im2col patch matrix, which then needs no transpose.
 */
export function taps(x: tf.Tensor4D, g: Geometry): tf.Tensor4D[] {
  const {
    k: [kh, kw],
    s: [sh, sw],
    d: [dh, dw],
    rows,
    cols,
  } = g;
  const [n, , , c] = x.shape;
  let xt: tf.Tensor4D = tf.transpose(x, [3, 0, 1, 2]);
  if (rows.before + rows.after + cols.before + cols.after > 0) {
    xt = tf.pad(xt, [
      [0, 0],
      [0, 0],
      [rows.before, rows.after],
      [cols.before, cols.after],
    ]);
  }
  const out: tf.Tensor4D[] = [];
  const size = [c, n, (rows.out - 1) * sh + 1, (cols.out - 1) * sw + 1];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, 0, i * dh, j * dw];
      out.push(
        sh === 1 && sw === 1
          ? tf.slice(xt, begin, size)
          : (tf.stridedSlice(
              xt,
              begin,
              begin.map((b, a) => b + (size[a] as number)),
              [1, 1, sh, sw],
            ) as tf.Tensor4D),
      );
    }
  }
  return out;
}
