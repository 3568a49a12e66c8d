/**
 * wasm on two threads in Node (tfjs' threaded build, started by useBackend, with XNNPACK's pool at one
 * thread and a helper thread for brickml's products, whose own tests are in own-threads.test.ts): tfjs'
 * kernels give the cpu backend's results on it, a model trained with fit ends with the same weights, and
 * a process that uses it ends by itself.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BackendInfo, setSeed, useBackend } from '@brickml/core';
import { Dense } from '@brickml/layers';
import { Sequential } from '@brickml/models';
import { weightValues } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./fixtures/wasm-threads-child.ts', import.meta.url));
const repo = fileURLToPath(new URL('../', import.meta.url));

/** Fixed pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

/** The same computation on cpu and on the threaded wasm; the two results' values. */
async function onBoth(f: () => tf.Tensor): Promise<[Float32Array, Float32Array]> {
  await useBackend('cpu');
  const cpu = f();
  const expected = (await cpu.data()) as Float32Array;
  cpu.dispose();
  await useBackend('wasm', { threads: 2 });
  const wasm = f();
  const got = (await wasm.data()) as Float32Array;
  wasm.dispose();
  return [expected, got];
}

function expectClose(got: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(got.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    worst = Math.max(
      worst,
      Math.abs((got[i] as number) - (expected[i] as number)) / (1 + Math.abs(expected[i] as number)),
    );
  }
  expect(worst).toBeLessThan(tolerance);
}

describe('wasm on two threads in Node', () => {
  let info: BackendInfo;
  beforeAll(async () => {
    info = await useBackend('wasm', { threads: 2 });
  });
  afterAll(async () => {
    await useBackend('cpu');
  });

  test('runs tfjs’ threaded build and a helper thread: two threads', () => {
    expect(info).toEqual({ name: 'wasm', threads: 2 });
  });

  test('the thread count is fixed once wasm has started', async () => {
    await expect(useBackend('wasm', { threads: 1 })).rejects.toThrow(/already runs on 2 thread/);
    await expect(useBackend('wasm')).resolves.toEqual({ name: 'wasm', threads: 2 });
  });

  test('matMul, batched matMul and conv2d match the cpu backend', async () => {
    const a = values(256 * 300, 1);
    const b = values(300 * 200, 2);
    expectClose(...(await onBoth(() => tf.matMul(tf.tensor2d(a, [256, 300]), tf.tensor2d(b, [300, 200])))), 1e-5);
    expectClose(
      ...(await onBoth(() =>
        tf.matMul(
          tf.tensor3d(a.subarray(0, 4 * 64 * 96), [4, 64, 96]),
          tf.tensor3d(b.subarray(0, 4 * 96 * 40), [4, 96, 40]),
          false,
          false,
        ),
      )),
      1e-5,
    );
    const x = values(8 * 20 * 20 * 8, 3);
    const k = values(3 * 3 * 8 * 16, 4);
    expectClose(
      ...(await onBoth(() => tf.conv2d(tf.tensor4d(x, [8, 20, 20, 8]), tf.tensor4d(k, [3, 3, 8, 16]), 1, 'same'))),
      1e-5,
    );
  });

  test('a small model trained with fit ends with the same weights as on cpu', async () => {
    const x = values(96 * 20, 5);
    const labels = Int32Array.from({ length: 96 }, (_, i) => (i * 7) % 4);
    const trained: number[][][] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend, backend === 'wasm' ? { threads: 2 } : {});
      setSeed(11);
      const model = new Sequential({
        inputShape: [20],
        layers: [new Dense({ units: 64, activation: 'relu' }), new Dense({ units: 4, activation: 'softmax' })],
      });
      model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      const xs = tf.tensor2d(x, [96, 20]);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
      await model.fit(xs, ys, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 });
      trained.push(await weightValues(model));
      tf.dispose([xs, ys]);
      model.dispose();
    }
    const [cpu, wasm] = trained as [number[][], number[][]];
    for (const [i, w] of cpu.entries()) expectClose(wasm[i] as number[], w, 1e-4);
  });

  test('a Node process that trains on it ends by itself, with the cpu backend’s product', async () => {
    const { stdout } = await run(process.execPath, ['--conditions=source', '--import', 'tsx', child], {
      cwd: repo,
      timeout: 60_000,
    });
    const { threads, product } = JSON.parse(stdout) as { threads: number; product: number[] };
    expect(threads).toBe(2);
    const [expected] = await onBoth(() =>
      tf.matMul(
        tf.tensor2d(
          Float32Array.from({ length: 64 * 96 }, (_, i) => Math.sin(i)),
          [64, 96],
        ),
        tf.tensor2d(
          Float32Array.from({ length: 96 * 80 }, (_, i) => Math.cos(i)),
          [96, 80],
        ),
      ),
    );
    expectClose(product, expected, 1e-5);
  });
});
