/**
 * The depthwise convolution's backward pieces, from kernels every backend has (wasm has neither
 * DepthwiseConv2dNativeBackpropInput nor DepthwiseConv2dNativeBackpropFilter):
 * dx[p,c] = Σ_{a,m} dz↑[p + before − a·d, c·M+m]·W[a,c,m], a forward depthwise convolution of the spread,
 * padded dz with the flipped kernel followed by a sum over m; dW[a,c,m] = Σ_q xp[q·s + a·d, c]·dz[q, c·M+m],
 * per channel one im2col matMul, all channels in one batched matMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Geometry, spreadForAdjoint } from './conv-utils.js';

/** dx [N,H,W,C] from dz [N,OH,OW,C·M] and the kernel [KH,KW,C,M]. */
export function depthwiseInputGrad(
  dz: tf.Tensor4D,
  kernel: tf.Tensor4D,
  g: Geometry,
  xShape: readonly [number, number, number, number],
): tf.Tensor4D {
  const [n, h, w, c] = xShape;
  const [kh, kw, , m] = kernel.shape;
  const flipped = tf.reshape(tf.reverse(kernel, [0, 1]), [kh, kw, c * m, 1]) as tf.Tensor4D;
  const full = tf.depthwiseConv2d(spreadForAdjoint(dz, g, h, w), flipped, 1, 'valid', 'NHWC', g.d);
  return m === 1 ? full : tf.sum(tf.reshape(full, [n, h, w, c, m]), 4);
}

/**
 * dW [KH,KW,C,M] from x [N,H,W,C] and dz [N,OH,OW,C·M]: the patches of each channel, laid out
 * [C, KH·KW, N·OH·OW] from strided slices of x as [C,N,H,W], times dz as [C, N·OH·OW, M].
 */
export function depthwiseKernelGrad(x: tf.Tensor4D, dz: tf.Tensor4D, g: Geometry, m: number): tf.Tensor4D {
  const {
    k: [kh, kw],
    s: [sh, sw],
    d: [dh, dw],
    rows,
    cols,
  } = g;
  const [n, , , c] = x.shape;
  const p = n * rows.out * cols.out;
  let xt: tf.Tensor4D = tf.transpose(x, [3, 0, 1, 2]);
  if (rows.before + rows.after + cols.before + cols.after > 0) {
    xt = tf.pad(xt, [
      [0, 0],
      [0, 0],
      [rows.before, rows.after],
      [cols.before, cols.after],
    ]);
  }
  const taps: tf.Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, 0, i * dh, j * dw];
      const size = [c, n, (rows.out - 1) * sh + 1, (cols.out - 1) * sw + 1];
      const patch =
        sh === 1 && sw === 1
          ? tf.slice(xt, begin, size)
          : tf.stridedSlice(
              xt,
              begin,
              begin.map((b, a) => b + (size[a] as number)),
              [1, 1, sh, sw],
            );
      taps.push(tf.reshape(patch, [c, 1, p]));
    }
  }
  const patches = taps.length === 1 ? (taps[0] as tf.Tensor3D) : (tf.concat(taps, 1) as tf.Tensor3D);
  const dzT = tf.transpose(tf.reshape(dz, [p, c, m]), [1, 0, 2]) as tf.Tensor3D;
  const dW = tf.matMul(patches, dzT);
  return tf.reshape(tf.transpose(dW, [1, 0, 2]), [kh, kw, c, m]);
}
