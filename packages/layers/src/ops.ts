import * as tf from '@tensorflow/tfjs-core';

/**
 * Aᵀ as a materialized tensor. On wasm, matMul(a, b, transposeA/B) runs 8-15x slower than an explicit
 * transpose followed by a plain matMul of the same shapes, so backward passes transpose first.
 */
export function matMulT(a: tf.Tensor): tf.Tensor2D {
  return tf.transpose(a as tf.Tensor2D) as tf.Tensor2D;
}
