/**
 * Times single kernels of the mnist_mlp and mnist_cnn steps (batch 128) on one backend: the fastest and the
 * median of N calls each; then one optimizer step over each model's weights, with brickml's own kernels and
 * as tfjs ops. With `--threads`, compares wasm's XNNPACK thread counts kernel by kernel, apart
 * from the JavaScript around them; on a shared machine the fastest call is the one least disturbed.
 *
 *   pnpm --filter @brickml/bench exec tsx --conditions=source kernels.ts --backend wasm --threads 2
 */
import { parseArgs } from 'node:util';
import {
  type BackendName,
  conv2d,
  conv2dKernelGrad,
  matMul,
  ownMatMul,
  Random,
  setOwnKernels,
  useBackend,
} from '@brickml/core';
import { Adam, RMSprop } from '@brickml/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { labelOf, threadsOption } from './options.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string' },
    reps: { type: 'string', default: '30' },
  },
});
const info = await useBackend(values.backend as BackendName, threadsOption(values.threads));
const reps = Number(values.reps);

/** `owned`: f returns a new tensor to dispose (else one it keeps, read only to wait for the work). */
function time(name: string, f: () => tf.Tensor, calls: number, owned = true): void {
  for (let i = 0; i < 2; i++) {
    const y = f();
    if (owned) y.dispose();
  }
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    const y = f();
    y.dataSync(); // wasm runs kernels synchronously; this waits for webgpu
    ms.push(performance.now() - start);
    if (owned) y.dispose();
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor((calls - 1) / 2)]!;
  console.log(`${name.padEnd(56)}${ms[0]!.toFixed(2).padStart(9)}${median.toFixed(2).padStart(9)}`);
}

console.log(
  `kernels on ${labelOf(info)}, ms per call\n${'kernel'.padEnd(56)}${'fastest'.padStart(9)}${'median'.padStart(9)}`,
);
const x = tf.randomNormal([128, 784]);
const w784 = tf.randomNormal([784, 512]);
const h = tf.randomNormal([128, 512]);
const w512 = tf.randomNormal([512, 512]);
const xT = tf.transpose(x);
time('matMul [128,784]·[784,512]', () => tf.matMul(x, w784), reps);
time('matMul [128,512]·[512,512]', () => tf.matMul(h, w512), reps);
time('matMul [784,128]·[128,512] (dW)', () => tf.matMul(xT, h), reps);
if (ownMatMul()) {
  // brickml's own product (one-thread wasm with relaxed SIMD): the same three, dW with xᵀ read in place.
  time('brickml matMul [128,784]·[784,512]', () => matMul(x as tf.Tensor2D, w784 as tf.Tensor2D), reps);
  time('brickml matMul [128,512]·[512,512]', () => matMul(h as tf.Tensor2D, w512 as tf.Tensor2D), reps);
  time('brickml matMul xᵀ·[128,512], x [128,784] (dW)', () => matMul(x as tf.Tensor2D, h as tf.Tensor2D, true), reps);
}
time('add [128,512] + [128,512]', () => tf.add(h, h), reps);
const img = tf.randomNormal([128, 28, 28, 1]) as tf.Tensor4D;
const k1 = tf.randomNormal([3, 3, 1, 32]) as tf.Tensor4D;
const a1 = tf.randomNormal([128, 26, 26, 32]) as tf.Tensor4D;
const k2 = tf.randomNormal([3, 3, 32, 64]) as tf.Tensor4D;
const few = Math.max(3, Math.round(reps / 6));
time('conv2d [128,28,28,1] 3x3 -> 32', () => tf.conv2d(img, k1, 1, 'valid'), few);
time('conv2d [128,26,26,32] 3x3 -> 64', () => tf.conv2d(a1, k2, 1, 'valid'), few);
if (ownMatMul()) {
  time('brickml conv2d [128,26,26,32] 3x3 -> 64', () => conv2d(a1, k2, [1, 1]), few);
  const dz2 = tf.randomNormal([128, 24, 24, 64]) as tf.Tensor4D;
  time('brickml conv2dKernelGrad, that conv (dW)', () => conv2dKernelGrad(a1, dz2, [3, 3], [1, 1]), few);
  dz2.dispose();
}
// Conv2D's dW on wasm: the patch matrix [3·3·32 + 1, 24·24·128] times dz [24·24·128, 64].
const patches = tf.randomNormal([289, 73728]) as tf.Tensor2D;
const dz = tf.randomNormal([73728, 64]) as tf.Tensor2D;
time('matMul [289,73728]·[73728,64] (conv dW)', () => tf.matMul(patches, dz), few);
if (ownMatMul()) time('brickml matMul [289,73728]·[73728,64] (conv dW)', () => matMul(patches, dz), few);
tf.dispose([x, w784, h, w512, xT, img, k1, a1, k2, patches, dz]);

// One optimizer step over a model's weights, with brickml's own kernels (one pass per slot) and as tfjs ops.
const mlpShapes = [[784, 512], [512], [512, 512], [512], [512, 10], [10]];
const cnnShapes = [[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [9216, 128], [128], [128, 10], [10]];
for (const [name, make, shapes] of [
  ['RMSprop step, mnist_mlp weights', () => new RMSprop({ learningRate: 0.001 }), mlpShapes],
  ['Adam step, mnist_cnn weights', () => new Adam({ learningRate: 0.001 }), cnnShapes],
] as const) {
  for (const own of [true, false]) {
    setOwnKernels(own);
    const ws = shapes.map((s) => tf.variable(tf.randomNormal([...s])));
    const gs = shapes.map((s) => tf.randomNormal([...s]));
    const opt = make();
    time(
      `${name} (${own ? "brickml's kernels" : 'tfjs ops'})`,
      () => {
        opt.apply(ws, gs);
        return ws[0] as tf.Tensor;
      },
      reps,
      false,
    );
    tf.dispose([...ws, ...gs]);
    opt.dispose();
  }
}
for (const own of [true, false]) {
  setOwnKernels(own);
  const random = new Random(1);
  time(
    `dropout mask [128,512] (${own ? "brickml's kernel" : 'drawn in JavaScript, uploaded'})`,
    () => random.bernoulliMask([128, 512], 0.8, 1.25),
    reps,
  );
}
setOwnKernels(true);
