/**
 * Conv2D's backward pieces, built only from kernels every backend has (wasm lacks Conv2DBackpropFilter).
 * dx is the adjoint of the convolution: conv2dTranspose, or on wasm the same map written as a forward
 * conv (XNNPACK, or brickml's own where its product runs) of the zero-interleaved, padded dz with the flipped
 * kernel. dW = P(x)ᵀ·dz (im2col), computed in the layout that is fastest on each backend (all are exact); on
 * wasm with db as one more row, or with brickml's product over patches never built.
 */
import { columnSums, conv2d, conv2dKernelGrad, ownMatMul } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Geometry, interleaveZeros, spreadForAdjoint, taps } from './conv-utils.js';
import { kernelGradByRuns } from './kernel-grad-runs.js';

/** dx for x [N,H,W,C] from dz, on whichever backend runs. */
export function inputGrad(
  dz: tf.Tensor4D,
  kernel: tf.Tensor4D,
  g: Geometry,
  xShape: [number, number, number, number],
  padding: 'valid' | 'same',
): tf.Tensor4D {
  if (tf.getBackend() === 'wasm') return inputGradByConv(dz, kernel, g, xShape[1], xShape[2]);
  // Conv2DBackpropInput has no dilation: dilate the kernel with zeros instead (same adjoint).
  const w = g.d[0] > 1 || g.d[1] > 1 ? dilateKernel(kernel, g.d) : kernel;
  return tf.conv2dTranspose(dz, w, xShape, g.s, padding);
}

/** dW [KH,KW,C,F] from x and dz, on whichever backend runs. */
export function kernelGrad(x: tf.Tensor4D, dz: tf.Tensor4D, g: Geometry): tf.Tensor {
  if (ownKernelGrad(g)) return ownGrads(x, dz, g, false).kernel;
  const backend = tf.getBackend();
  if (backend === 'cpu') return kernelGradByShifts(x, dz, g);
  if (backend === 'wasm' && g.s[0] === 1 && g.s[1] === 1) return kernelGradByRuns(x, dz, g, false).kernel;
  return kernelGradBySlices(x, dz, g);
}

/** dW and, with `bias`, db = Σ_{n,i,j} dz, on whichever backend runs. */
export function paramGrads(x: tf.Tensor4D, dz: tf.Tensor4D, g: Geometry, bias: boolean) {
  if (ownKernelGrad(g)) return ownGrads(x, dz, g, bias);
  if (tf.getBackend() === 'wasm' && g.s[0] === 1 && g.s[1] === 1) return kernelGradByRuns(x, dz, g, bias);
  const kernel = kernelGrad(x, dz, g);
  return bias ? { kernel, bias: tf.sum(tf.reshape(dz, [-1, dz.shape[3]]), 0) } : { kernel };
}

/** Where core's own product runs (ownMatMul: wasm with relaxed SIMD), dW is its kernel over P(x)ᵀ. */
function ownKernelGrad(g: Geometry): boolean {
  return ownMatMul() && g.d[0] === 1 && g.d[1] === 1;
}

/** dW by conv2dKernelGrad (patches never built) and db = 1ᵀ·dz (columnSums). */
function ownGrads(x: tf.Tensor4D, dz: tf.Tensor4D, g: Geometry, bias: boolean) {
  const pads: [[number, number], [number, number]] = [
    [g.rows.before, g.rows.after],
    [g.cols.before, g.cols.after],
  ];
  const kernel = conv2dKernelGrad(x, dz, g.k, g.s, pads);
  if (!bias) return { kernel };
  return { kernel, bias: columnSums(tf.reshape(dz, [-1, dz.shape[3]])) };
}

/**
 * dx[p] = Σ_a dz↑[p + before − a·d]·W[a] (dz↑: dz with s−1 zeros between entries), i.e. a valid
 * correlation of dz↑ padded by (k−1)·d − before on top/left with the flipped kernel, dilation d.
 */
export function inputGradByConv(dz: tf.Tensor4D, kernel: tf.Tensor4D, g: Geometry, h: number, w: number): tf.Tensor4D {
  const padded = spreadForAdjoint(dz, g, h, w);
  const flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  if (ownMatMul() && g.d[0] === 1 && g.d[1] === 1) return conv2d(padded, flipped, [1, 1]);
  return tf.conv2d(padded, flipped, 1, 'valid', 'NHWC', g.d);
}

/**
 * dW = P(x)ᵀ·dz with the patch matrix built from k·k strided slices of x laid out [C, N, H, W] (so Pᵀ
 * needs no transpose), then one matMul. Fastest on wasm and webgpu; cpu's strided slice is slow.
 */
export function kernelGradBySlices(x: tf.Tensor4D, dz: tf.Tensor4D, g: Geometry): tf.Tensor {
  const [kh, kw] = g.k;
  const c = x.shape[3];
  const f = dz.shape[3];
  const m = x.shape[0] * g.rows.out * g.cols.out;
  const pieces = taps(x, g).map((t) => tf.reshape(t, [c, m]));
  const patchesT = pieces.length === 1 ? (pieces[0] as tf.Tensor2D) : tf.concat(pieces, 0);
  return tf.reshape(tf.matMul(patchesT as tf.Tensor2D, tf.reshape(dz, [m, f])), [kh, kw, c, f]);
}

/**
 * dW[a,b] = Σ_q xp[q]ᵀ·dz↑[q − shift(a,b)] over the flattened padded grid q = (row, col, n), with dz↑
 * (dz with s−1 zeros between entries) widened to Wp columns so that every tap (a, b) is one flat
 * shift = (a·dh·Wp + b·dw)·N. All taps then share one matMul: xpᵀ [C, Hp·Wp·N] · [shifted dz↑ frames].
 * Only transposes, contiguous concats and one matMul: no strided gathers, which are slow on cpu.
 */
export function kernelGradByShifts(x: tf.Tensor4D, dz: tf.Tensor4D, g: Geometry): tf.Tensor {
  const {
    k: [kh, kw],
    s: [sh, sw],
    d: [dh, dw],
    rows,
    cols,
  } = g;
  const [n, h, w, c] = x.shape;
  const [oh, ow, f] = [dz.shape[1], dz.shape[2], dz.shape[3]];
  const [hp, wp] = [h + rows.before + rows.after, w + cols.before + cols.after];
  const xpT = tf.reshape(tf.transpose(padByConcat(x, rows, cols), [3, 1, 2, 0]), [c, hp * wp * n]);
  const [uh, uw] = [(oh - 1) * sh + 1, (ow - 1) * sw + 1];
  const up = sh > 1 || sw > 1 ? tf.slice(interleaveZeros(dz, [sh, sw]), 0, [n, uh, uw, f]) : dz;
  let wide = tf.reshape(tf.transpose(up, [1, 2, 0, 3]), [uh, uw * n * f]);
  if (wp > uw) wide = tf.concat([wide, tf.zeros([uh, (wp - uw) * n * f])], 1);
  const flat = tf.reshape(wide, [uh * wp * n, f]);
  const total = hp * wp * n;
  const frames: tf.Tensor[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const shift = (a * dh * wp + b * dw) * n;
      const after = total - shift - uh * wp * n;
      // Entries past the grid (after < 0) are widened zero columns, so cutting them loses nothing.
      const body = after < 0 ? tf.slice(flat, 0, [uh * wp * n + after, f]) : flat;
      const parts = [...(shift > 0 ? [tf.zeros([shift, f])] : []), body];
      if (after > 0) parts.push(tf.zeros([after, f]));
      frames.push(parts.length === 1 ? body : tf.concat(parts, 0));
    }
  }
  const shifted = frames.length === 1 ? (frames[0] as tf.Tensor2D) : (tf.concat(frames, 1) as tf.Tensor2D);
  const dW = tf.matMul(xpT, shifted);
  return tf.transpose(tf.reshape(dW, [c, kh, kw, f]), [1, 2, 0, 3]);
}

/** x [N,H,W,C] zero-padded on height and width by concatenation (fast everywhere, unlike cpu's pad). */
function padByConcat(x: tf.Tensor4D, rows: { before: number; after: number }, cols: { before: number; after: number }) {
  const [n, h, w, c] = x.shape;
  let out: tf.Tensor4D = x;
  if (rows.before + rows.after > 0) {
    const parts = [tf.reshape(out, [n, h * w * c])];
    if (rows.before > 0) parts.unshift(tf.zeros([n, rows.before * w * c]));
    if (rows.after > 0) parts.push(tf.zeros([n, rows.after * w * c]));
    out = tf.reshape(tf.concat(parts, 1), [n, h + rows.before + rows.after, w, c]);
  }
  const hp = out.shape[1];
  if (cols.before + cols.after > 0) {
    const parts = [tf.reshape(out, [n * hp, w * c])];
    if (cols.before > 0) parts.unshift(tf.zeros([n * hp, cols.before * c]));
    if (cols.after > 0) parts.push(tf.zeros([n * hp, cols.after * c]));
    out = tf.reshape(tf.concat(parts, 1), [n, hp, w + cols.before + cols.after, c]);
  }
  return out;
}

/** W[kh,kw,c,f] → W' with d-1 zeros between taps: [(kh-1)·dh+1, (kw-1)·dw+1, c, f]. */
function dilateKernel(w: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, c, f] = w.shape;
  const [eh, ew] = [(kh - 1) * dh + 1, (kw - 1) * dw + 1];
  const spread = interleaveZeros(tf.reshape(w, [1, kh, kw, c * f]), [dh, dw]);
  return tf.reshape(tf.slice(spread, 0, [1, eh, ew, c * f]), [eh, ew, c, f]);
}
