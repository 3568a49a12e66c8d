import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * The largest |a - b| over tensors of the same shapes (one tensor or a list, as predict returns them); the
 * shapes are expected equal first. Disposes nothing of the caller's.
 */
export async function maxDiff(a: tf.Tensor | tf.Tensor[], b: tf.Tensor | tf.Tensor[]): Promise<number> {
  const as = Array.isArray(a) ? a : [a];
  const bs = Array.isArray(b) ? b : [b];
  expect(bs.map((t) => t.shape)).toEqual(as.map((t) => t.shape));
  let max = 0;
  for (const [i, t] of as.entries()) {
    const d = tf.max(tf.abs(tf.sub(t, bs[i] as tf.Tensor)));
    max = Math.max(max, (await d.data())[0] as number);
    d.dispose();
  }
  return max;
}
