/**
 * Times one fit of Keras' MNIST examples with tfjs-layers and with brickml, on the same backend, the same
 * data and the same batch size, and prints seconds per epoch scaled to the full 60000 training digits.
 *
 *   pnpm --filter @brickml/bench fit --backend wasm --model mlp --epochs 1 --limit 2560
 *   pnpm --filter @brickml/bench fit --backend cpu --profile
 *
 * mlp: Dense 512 relu, Dropout 0.2, Dense 512 relu, Dropout 0.2, Dense 10 softmax; RMSprop(0.001); batch 128.
 * cnn: Conv2D 32 3x3 relu, Conv2D 64 3x3 relu, MaxPooling2D 2, Dropout 0.25, Flatten, Dense 128 relu,
 *      Dropout 0.5, Dense 10 softmax; Adam(0.001); batch 128 (Keras' mnist_cnn, as examples/mnist-cnn).
 */
import { parseArgs } from 'node:util';
import { type BackendName, setOwnKernels, useBackend } from '@brickml/core';
import { loadMnist, oneHot } from '@brickml/datasets';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { countDispatches, labelOf, setTfFlags, threadsOption } from './options.js';

const BATCH = 128;
const FULL_EPOCH = 60000;

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    model: { type: 'string', default: 'mlp' },
    epochs: { type: 'string', default: '1' },
    limit: { type: 'string', default: String(FULL_EPOCH) },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    top: { type: 'string', default: '15' },
    threads: { type: 'string' },
    steps: { type: 'string' },
    'tf-flag': { type: 'string', multiple: true },
    'tfjs-ops': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`Usage: tsx --conditions=source bench/fit.ts [options]
  --backend cpu|wasm|webgpu|tensorflow  (default cpu)
  --model mlp|cnn                        (default mlp)
  --epochs N                             timed epochs (default 1)
  --limit N                              training digits used (default 60000); times are scaled to 60000
  --only tfjs|brickml                    time one side only
  --profile                              profile one training step of each side and print the top kernels
  --top N                                kernels to print with --profile (default 15)
  --steps N                              also time N single brickml trainOnBatch steps (fastest, median)
  --threads N                            wasm: threads to compute on (default: BRICKML_WASM_THREADS, else the cores)
  --tf-flag NAME=VALUE                   sets a tfjs flag after the backend starts (repeatable)
  --tfjs-ops                             webgpu, wasm: optimizer updates, dropout masks, LSTM backward as tfjs ops`);
  process.exit(0);
}

const modelKind = values.model;
if (modelKind !== 'mlp' && modelKind !== 'cnn') throw new Error(`--model must be mlp or cnn, received ${modelKind}`);
const epochs = Number(values.epochs);
const limit = Number(values.limit);
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer`);
if (!Number.isInteger(limit) || limit < BATCH) throw new Error(`--limit must be an integer >= ${BATCH}`);

const info = await useBackend(values.backend as BackendName, threadsOption(values.threads));
const backendLabel = labelOf(info);
setTfFlags(values['tf-flag']);
if (values['tfjs-ops']) setOwnKernels(false);

const data = loadMnist({ trainLimit: limit, testLimit: 0, flatten: modelKind === 'mlp' });
const n = data.yTrain.length;
const x = tf.tensor(data.xTrain, data.shapes.xTrain);
const y = tf.tensor2d(oneHot(data.yTrain, 10), [n, 10]);
const xWarm = tf.slice(x, 0, BATCH);
const yWarm = tf.slice(y, 0, BATCH);

interface Side {
  /** One fit over (x, y) for `epochs` epochs. */
  fit(x: tf.Tensor, y: tf.Tensor, epochs: number): Promise<void>;
  dispose(): void;
}

interface TfjsSide extends Side {
  trainOnBatch(x: tf.Tensor, y: tf.Tensor): Promise<unknown>;
}

function tfjsModel(): TfjsSide {
  const model = tfl.sequential();
  if (modelKind === 'mlp') {
    model.add(tfl.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }));
    model.add(tfl.layers.dropout({ rate: 0.2 }));
    model.add(tfl.layers.dense({ units: 512, activation: 'relu' }));
    model.add(tfl.layers.dropout({ rate: 0.2 }));
    model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  } else {
    model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
    model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tfl.layers.dropout({ rate: 0.25 }));
    model.add(tfl.layers.flatten());
    model.add(tfl.layers.dense({ units: 128, activation: 'relu' }));
    model.add(tfl.layers.dropout({ rate: 0.5 }));
    model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  }
  const optimizer =
    modelKind === 'mlp' ? tf.train.rmsprop(0.001, 0.9, 0, 1e-7) : tf.train.adam(0.001, 0.9, 0.999, 1e-7);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return {
    fit: async (x, y, epochs) => {
      await model.fit(x, y, { epochs, batchSize: BATCH, shuffle: true, verbose: 0 });
    },
    trainOnBatch: (x, y) => model.trainOnBatch(x, y),
    dispose: () => {
      model.dispose();
      optimizer.dispose();
    },
  };
}

interface BrickmlModel {
  fit(x: tf.Tensor, y: tf.Tensor, options: { epochs: number; batchSize: number; verbose: 0 }): Promise<unknown>;
  trainOnBatch?(x: tf.Tensor, y: tf.Tensor): Promise<unknown>;
  dispose?(): void;
}

async function brickmlModel(): Promise<BrickmlModel> {
  const { Sequential } = await import('@brickml/models');
  const { Conv2D, Dense, Dropout, Flatten, MaxPooling2D } = await import('@brickml/layers');
  const model =
    modelKind === 'mlp'
      ? new Sequential({
          name: 'mnist_mlp',
          inputShape: [784],
          layers: [
            new Dense({ units: 512, activation: 'relu' }),
            new Dropout({ rate: 0.2 }),
            new Dense({ units: 512, activation: 'relu' }),
            new Dropout({ rate: 0.2 }),
            new Dense({ units: 10, activation: 'softmax' }),
          ],
        })
      : new Sequential({
          name: 'mnist_cnn',
          inputShape: [28, 28, 1],
          layers: [
            new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' }),
            new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
            new MaxPooling2D({ poolSize: 2 }),
            new Dropout({ rate: 0.25 }),
            new Flatten({}),
            new Dense({ units: 128, activation: 'relu' }),
            new Dropout({ rate: 0.5 }),
            new Dense({ units: 10, activation: 'softmax' }),
          ],
        });
  model.compile({
    optimizer: modelKind === 'mlp' ? 'rmsprop' : 'adam',
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model as unknown as BrickmlModel;
}

async function brickmlSide(): Promise<Side> {
  const model = await brickmlModel();
  return {
    fit: async (x, y, epochs) => {
      await model.fit(x, y, { epochs, batchSize: BATCH, verbose: 0 });
    },
    dispose: () => model.dispose?.(),
  };
}

/**
 * Warms up on three steps of one batch, as torch_reference.py does (wasm and webgpu compile kernels on first
 * use, and V8 runs a new wasm module's first calls in its baseline compiler), then times the fit.
 */
async function secondsPerEpoch(make: () => Side | Promise<Side>): Promise<number> {
  const side = await make();
  try {
    await side.fit(xWarm, yWarm, 3);
    const start = performance.now();
    await side.fit(x, y, epochs);
    const seconds = (performance.now() - start) / 1000;
    return (seconds / epochs) * (FULL_EPOCH / n);
  } finally {
    side.dispose();
  }
}

async function measure(label: string, make: () => Side | Promise<Side>): Promise<number | string> {
  if (values.only && values.only !== label) return 'skipped';
  try {
    return await secondsPerEpoch(make);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    console.error(`${label}: ${why.split('\n')[0]}`);
    return 'failed';
  }
}

/** Profiles one training step (after a warm-up step) and prints the kernels that took the most time. */
async function profileStep(label: string, step: () => Promise<unknown>): Promise<void> {
  await step(); // compile kernels and create optimizer state outside the profile
  const dispatches = countDispatches();
  const wall = performance.now();
  const info = await tf.profile(async () => {
    await step();
  });
  const wallMs = performance.now() - wall;
  const gpu = dispatches.stop();
  const byKernel = new Map<string, { count: number; ms: number; timed: boolean }>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : Number.NaN;
    const row = byKernel.get(k.name) ?? { count: 0, ms: 0, timed: true };
    row.count++;
    if (Number.isFinite(ms)) row.ms += ms;
    else row.timed = false;
    byKernel.set(k.name, row);
  }
  const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms || b[1].count - a[1].count);
  const total = rows.reduce((s, [, r]) => s + r.ms, 0);
  console.log(
    `\n${label} ${modelKind}, one training step of ${BATCH} on ${backendLabel}: ${info.kernels.length} kernel calls, ` +
      `${total.toFixed(1)} ms in kernels, ${wallMs.toFixed(1)} ms wall (profiling adds overhead)` +
      (gpu === null ? '' : `; ${gpu} GPU dispatches`),
  );
  console.log(`${'kernel'.padEnd(28)}${'calls'.padStart(7)}${'ms'.padStart(10)}${'share'.padStart(8)}`);
  for (const [name, r] of rows.slice(0, Number(values.top))) {
    const ms = r.timed ? r.ms.toFixed(2) : 'n/a';
    const share = r.timed && total > 0 ? `${((100 * r.ms) / total).toFixed(1)}%` : '';
    console.log(`${name.padEnd(28)}${String(r.count).padStart(7)}${ms.padStart(10)}${share.padStart(8)}`);
  }
}

async function profile(): Promise<void> {
  if (values.only !== 'tfjs') {
    const model = await brickmlModel();
    if (!model.trainOnBatch) throw new Error('--profile needs Sequential.trainOnBatch');
    await profileStep('brickml', () => model.trainOnBatch!(xWarm, yWarm));
    model.dispose?.();
  }
  if (values.only !== 'brickml') {
    const side = tfjsModel();
    await profileStep('tfjs-layers', () => side.trainOnBatch(xWarm, yWarm));
    side.dispose();
  }
}

/**
 * Times single brickml training steps (trainOnBatch on the first batch, after one untimed step): the
 * fastest is the least disturbed by other work on the machine, the median the typical one.
 */
async function stepTimes(count: number): Promise<void> {
  if (!Number.isInteger(count) || count < 1) throw new Error('--steps must be a positive integer');
  const model = await brickmlModel();
  if (!model.trainOnBatch) throw new Error('--steps needs Sequential.trainOnBatch');
  await model.trainOnBatch(xWarm, yWarm);
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await model.trainOnBatch(xWarm, yWarm);
    ms.push(performance.now() - start);
  }
  model.dispose?.();
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor((count - 1) / 2)]!;
  console.log(
    `brickml ${modelKind}, ${count} single steps of ${BATCH} on ${backendLabel}: fastest ${ms[0]!.toFixed(1)} ms, median ${median.toFixed(1)} ms`,
  );
}

const fmt = (v: number | string) => (typeof v === 'number' ? v.toFixed(2) : v);
const tfjs = await measure('tfjs', tfjsModel);
const brick = await measure('brickml', brickmlSide);
const ratio = typeof tfjs === 'number' && typeof brick === 'number' ? `${(brick / tfjs).toFixed(2)}x` : 'n/a';

console.log(`\nmnist ${modelKind}, ${n} digits x ${epochs} epoch(s), batch ${BATCH}; seconds per 60000-digit epoch`);
const header = ['backend', 'model', 'tfjs-layers s/epoch', 'brickml s/epoch', 'brickml/tfjs'];
const row = [backendLabel, modelKind, fmt(tfjs), fmt(brick), ratio];
const widths = header.map((h, i) => Math.max(h.length, row[i]!.length));
console.log(`| ${header.map((h, i) => h.padEnd(widths[i]!)).join(' | ')} |`);
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
console.log(`| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`);
const perStep = (v: number | string) => (typeof v === 'number' ? ((1000 * v * BATCH) / FULL_EPOCH).toFixed(1) : v);
console.log(`ms per step of ${BATCH}: tfjs-layers ${perStep(tfjs)}, brickml ${perStep(brick)}`);

// wasm's heap grows to its peak and never shrinks: with --only, its size now is that side's peak memory
// (data included). Elsewhere, tf.memory() reports what is live now, not a peak.
const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.buffer.byteLength;
if (heap !== undefined && values.only) {
  console.log(`peak wasm heap (${values.only} alone, data included): ${(heap / 2 ** 20).toFixed(0)} MiB`);
}

if (values.profile) await profile();
if (values.steps) await stepTimes(Number(values.steps));

tf.dispose([x, y, xWarm, yWarm]);
// A loaded webgpu device keeps the event loop alive.
process.exit(0);
