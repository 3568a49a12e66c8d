/**
 * What a kernel call costs on a backend apart from its math, and what a read costs: a chain of small
 * element-wise kernels timed as a whole (the time to enqueue them, then to the end of a read of the last),
 * and the round trip of reading one small result. On webgpu the chain is repeated for several submit batch
 * sizes (tfjs' WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, 15 by default).
 *
 *   pnpm --filter @brickml/bench exec tsx --conditions=source overhead.ts --backend webgpu
 */
import { parseArgs } from 'node:util';
import { type BackendName, useBackend } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { labelOf, threadsOption } from './options.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string' },
    kernels: { type: 'string', default: '1000' },
    size: { type: 'string', default: '4096' },
    reps: { type: 'string', default: '5' },
  },
});
const info = await useBackend(values.backend as BackendName, threadsOption(values.threads));
const kernels = Number(values.kernels);
const size = Number(values.size);
const reps = Number(values.reps);
const x = tf.tidy(() => tf.add(tf.ones([size]), 0)); // made by a kernel, so it lives where kernels run

/** The fastest of `reps` chains of `kernels` Adds: µs per kernel to enqueue, and to the end of the read. */
async function chain(): Promise<{ enqueue: number; done: number }> {
  let best = { enqueue: Number.POSITIVE_INFINITY, done: Number.POSITIVE_INFINITY };
  for (let r = 0; r < reps + 1; r++) {
    const start = performance.now();
    let y = tf.add(x, 1);
    for (let i = 1; i < kernels; i++) {
      const next = tf.add(y, x);
      y.dispose();
      y = next;
    }
    const enqueued = performance.now();
    await y.data();
    const done = performance.now();
    y.dispose();
    if (r === 0) continue; // compiles the kernel and fills the buffer pools
    const us = (t: number) => (1000 * t) / kernels;
    if (us(done - start) < best.done) best = { enqueue: us(enqueued - start), done: us(done - start) };
  }
  return best;
}

/** The median round trip, in ms, of one small kernel and a read of its result. */
async function readTrip(): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    const y = tf.add(x, 1);
    await y.data();
    ms.push(performance.now() - start);
    y.dispose();
  }
  ms.sort((a, b) => a - b);
  return ms[15]!;
}

console.log(`${labelOf(info)}: ${kernels} chained Adds of ${size} floats, fastest of ${reps}`);
const batchSizes = info.name === 'webgpu' ? [15, 64, 256, kernels] : [null];
for (const b of batchSizes) {
  if (b !== null) tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', b);
  const { enqueue, done } = await chain();
  const label = b === null ? '' : `, submit every ${b} kernels`;
  console.log(
    `  per kernel${label}: ${enqueue.toFixed(1)} µs to enqueue, ${done.toFixed(1)} µs to the end of the read`,
  );
}
if (info.name === 'webgpu') tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 15);
console.log(`  one Add and a read of its result: ${(await readTrip()).toFixed(3)} ms (median of 30)`);
x.dispose();
process.exit(0);
