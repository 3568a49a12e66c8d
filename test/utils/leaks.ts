import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Runs `fn` (after one warm-up call that may create lasting state) and expects no tensor left behind. */
export async function expectNoLeak(fn: () => unknown | Promise<unknown>, { warmUp = true } = {}): Promise<void> {
  if (warmUp) await fn();
  const before = tf.memory().numTensors;
  await fn();
  expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
}
