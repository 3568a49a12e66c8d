/**
 * Gradient clipping (Keras 3; at most one option is set). clipNorm: g·c / max(‖g‖, c) per variable;
 * globalClipNorm: g·c / max(‖[g₁, g₂, ...]‖, c), one factor for all gradients; clipValue: clamp(g, -c, c).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ClipOptions {
  clipNorm?: number | undefined;
  clipValue?: number | undefined;
  globalClipNorm?: number | undefined;
}

/** The clipped gradients (the inputs themselves when no option is set); call inside a tf.tidy. */
export function clipGradients(grads: tf.Tensor[], { clipNorm, clipValue, globalClipNorm }: ClipOptions): tf.Tensor[] {
  const norm = (g: tf.Tensor) => tf.sqrt(tf.sum(tf.square(g)));
  if (clipNorm !== undefined) return grads.map((g) => tf.div(tf.mul(g, clipNorm), tf.maximum(norm(g), clipNorm)));
  if (clipValue !== undefined) return grads.map((g) => tf.clipByValue(g, -clipValue, clipValue));
  if (globalClipNorm !== undefined) {
    const total = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const scale = tf.div(globalClipNorm, tf.maximum(total, globalClipNorm));
    return grads.map((g) => tf.mul(g, scale));
  }
  return grads;
}
