/**
 * Conv2D's dW (and db) on wasm, stride 1: dW = P(x)ᵀ·dz with x laid out [C, Hp, Wp·N], so that tap (a, b)
 * is the slice [:, a·dh, b·dw·N] of size [C, OH, OW·N], rows of OW·N contiguous numbers (wasm's Slice
 * copies in JavaScript, one call per run: C·OH calls per tap, against C·N·OH in a [C, N, H, W] layout).
 * With `bias`, a row of ones under Pᵀ makes db = 1ᵀ·dz the product's last row: a matMul of its own packs
 * dz again (~30 ms on mnist_cnn), and wasm's Sum is slower still.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Geometry, padWindow } from './conv-utils.js';

export function kernelGradByRuns(
  x: tf.Tensor4D,
  dz: tf.Tensor4D,
  g: Geometry,
  bias: boolean,
): { kernel: tf.Tensor; bias?: tf.Tensor } {
  const [[kh, kw], [dh, dw], [n, , , c], [, oh, ow, f]] = [g.k, g.d, x.shape, dz.shape];
  const xp = padWindow(x, g.rows, g.cols);
  const xt = tf.reshape(tf.transpose(xp, [3, 1, 2, 0]), [c, xp.shape[1], xp.shape[2] * n]);
  const pieces: tf.Tensor[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      pieces.push(tf.reshape(tf.slice(xt, [0, a * dh, b * dw * n], [c, oh, ow * n]), [c, oh * ow * n]));
    }
  }
  if (bias) pieces.push(tf.ones([1, oh * ow * n]));
  const patchesT = (pieces.length === 1 ? pieces[0] : tf.concat(pieces, 0)) as tf.Tensor2D;
  const dzt = tf.reshape(tf.transpose(dz, [1, 2, 0, 3]), [oh * ow * n, f]) as tf.Tensor2D;
  const product = tf.matMul(patchesT, dzt);
  const taps = kh * kw * c;
  if (!bias) return { kernel: tf.reshape(product, [kh, kw, c, f]) };
  const kernel = tf.reshape(tf.slice(product, 0, [taps, f]), [kh, kw, c, f]);
  return { kernel, bias: tf.reshape(tf.slice(product, [taps, 0], [1, f]), [f]) };
}
