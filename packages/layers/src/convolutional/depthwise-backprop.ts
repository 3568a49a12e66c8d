/**
 * The depthwise convolution's backward pieces, from kernels every backend has (wasm has neither
 * DepthwiseConv2dNativeBackpropInput nor DepthwiseConv2dNativeBackpropFilter):
 * dx[p,c] = Σ_{a,m} dz↑[p + before − a·d, c·M+m]·W[a,c,m], a forward depthwise convolution of the spread,
 * padded dz with the flipped kernel followed by a sum over m; dW[a,c,m] = Σ_q xp[q·s + a·d, c]·dz[q, c·M+m],
 * per channel one im2col matMul, all channels in one batched matMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Geometry, spreadForAdjoint, taps } from './conv-utils.js';

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
  const [kh, kw] = g.k;
  const c = x.shape[3];
  const p = x.shape[0] * g.rows.out * g.cols.out;
  const perTap = taps(x, g).map((t) => tf.reshape(t, [c, 1, p]));
  const patches = perTap.length === 1 ? (perTap[0] as tf.Tensor3D) : (tf.concat(perTap, 1) as tf.Tensor3D);
  const dzT = tf.transpose(tf.reshape(dz, [p, c, m]), [1, 0, 2]) as tf.Tensor3D;
  const dW = tf.matMul(patches, dzT);
  return tf.reshape(tf.transpose(dW, [1, 0, 2]), [kh, kw, c, m]);
}
