import * as tf from '@tensorflow/tfjs-core';

/**
 * Aᵀ as a materialized tensor. On wasm, matMul(a, b, transposeA/B) runs 8-15x slower than an explicit
 * transpose followed by a plain matMul of the same shapes, so backward passes transpose first.
 */
export function matMulT(a: tf.Tensor): tf.Tensor2D {
  return tf.transpose(a as tf.Tensor2D) as tf.Tensor2D;
}

/**
 * t repeated along its axes of size 1 (and leading axes it lacks) to `shape`, as tf.broadcastTo, but as a
 * product with ones: wasm's broadcastTo is its Tile kernel, which walks element by element (123 ms for
 * [128, 1, 1, 256] to [128, 7, 7, 256], against 0.5 ms for the product). x·1 = x exactly, signs of zero and
 * NaNs included.
 */
export function broadcast(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const lead = shape.length - t.rank;
  const own = [...new Array<number>(lead).fill(1), ...t.shape];
  if (own.every((d, i) => d === shape[i])) return tf.reshape(t, [...shape]);
  return tf.mul(tf.reshape(t, own), tf.ones(shape.map((d, i) => (own[i] === d ? 1 : d))));
}
