/**
 * When tfjs' threaded build cannot start in Node, useBackend('wasm') runs tfjs' single-threaded build
 * and says so, without an error.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, test, vi } from 'vitest';

test('a threaded build that cannot start leaves wasm on one thread, working', async () => {
  // test/setup.ts has loaded @brickml/core already: load a fresh copy over the failing module.
  vi.resetModules();
  vi.doMock('../packages/core/src/wasm-threads-node.ts', async (importOriginal) => ({
    ...(await importOriginal<object>()),
    createThreadedWasmModule: async () => {
      throw new Error('no worker threads here');
    },
  }));
  const { useBackend } = await import('@brickml/core');
  try {
    expect(await useBackend('wasm', { threads: 2 })).toEqual({ name: 'wasm', threads: 1 });
    const product = await tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).data();
    expect(Array.from(product)).toEqual([19, 22, 43, 50]);
  } finally {
    await useBackend('cpu');
  }
});
