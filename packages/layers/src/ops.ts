import * as tf from '@tensorflow/tfjs-core';

/**
 * Aᵀ as a materialized tensor. On wasm, matMul(a, b, transposeA/B) runs 8-15x slower than an explicit
 * transpose followed by a plain matMul of the same shapes, so backward passes transpose first.
 */
export function matMulT(a: tf.Tensor): tf.Tensor2D {
  return tf.transpose(a as tf.Tensor2D) as tf.Tensor2D;
}

/**
 * t repeated along its axes of size 1 (and leading axes it lacks) to `shape`, as tf.broadcastTo: that op on
 * cpu, elsewhere a product with ones (x·1 = x exactly, signs of zero and NaNs included). broadcastTo is the
 * Tile kernel, which on wasm walks element by element: [128, 1, 1, 256] to [128, 7, 7, 256] took 123 ms
 * there against 0.5 ms for the product, and 30 against 11 ms on webgpu; on cpu 103 against 203 ms.
 */
export function broadcast(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (tf.getBackend() === 'cpu') return tf.broadcastTo(t, [...shape]);
  const lead = shape.length - t.rank;
  const own = [...new Array<number>(lead).fill(1), ...t.shape];
  if (own.every((d, i) => d === shape[i])) return tf.reshape(t, [...shape]);
  return tf.mul(tf.reshape(t, own), tf.ones(shape.map((d, i) => (own[i] === d ? 1 : d))));
}
