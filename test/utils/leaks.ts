import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Runs `fn` (after one warm-up call that may create lasting state) and expects no tensor left behind;
 * `what` names the run in the failure.
 */
export async function expectNoLeak(
  fn: () => unknown | Promise<unknown>,
  { warmUp = true, what = 'tensors left behind' } = {},
): Promise<void> {
  if (warmUp) await fn();
  const before = tf.memory().numTensors;
  await fn();
  expect(tf.memory().numTensors, what).toBe(before);
}
