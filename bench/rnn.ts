/**
 * Times one training step of Keras' addition_rnn model ("535+61" → "596") in tfjs-layers and in brickml, on
 * the same backend, the same batches and the same batch size, and prints milliseconds per step.
 *
 *   pnpm --filter @brickml/bench rnn --backend wasm --steps 20
 *   pnpm --filter @brickml/bench rnn --backend wasm --profile   (kernels of one step of each side; on webgpu
 *                                                               also its GPU dispatches)
 *   pnpm --filter @brickml/bench rnn --backend wasm --threads 1 (XNNPACK on one thread)
 *   pnpm --filter @brickml/bench rnn --backend wasm --tfjs-ops  (brickml's own kernels off: tfjs ops)
 *
 * Model (Keras' addition_rnn with DIGITS = 3): input [7, 12] one-hot characters, LSTM 128, RepeatVector 4,
 * LSTM 128 returnSequences, TimeDistributed(Dense 12 softmax); Adam; categorical cross-entropy; batch 32.
 * tfjs-layers' LSTM is given recurrentActivation 'sigmoid' (its default is hardSigmoid; Keras 3's is sigmoid).
 */
import { parseArgs } from 'node:util';
import { type BackendName, setOwnKernels, useBackend } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { countDispatches, labelOf, threadsOption } from './options.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    units: { type: 'string', default: '128' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    top: { type: 'string', default: '15' },
    threads: { type: 'string' },
    'tfjs-ops': { type: 'boolean', default: false },
  },
});
const STEPS = Number(values.steps);
const BATCH = Number(values.batch);
const UNITS = Number(values.units);
const IN_LEN = 7;
const OUT_LEN = 4;
const CHARS = 12;

const info = await useBackend(values.backend as BackendName, threadsOption(values.threads));
const label = labelOf(info);
if (values['tfjs-ops']) setOwnKernels(false);

/** Random one-hot sequences: the timing does not depend on what the characters say. */
function batch(seed: number) {
  const ids = (len: number, s: number) =>
    tf.tidy(() => tf.cast(tf.oneHot(tf.randomUniform([BATCH * len], 0, CHARS, 'int32', s), CHARS), 'float32'));
  return {
    x: tf.reshape(ids(IN_LEN, seed), [BATCH, IN_LEN, CHARS]),
    y: tf.reshape(ids(OUT_LEN, seed + 1), [BATCH, OUT_LEN, CHARS]),
  };
}

interface Side {
  step(x: tf.Tensor, y: tf.Tensor): Promise<unknown>;
  dispose(): void;
}

// Keras 3's recurrent activation; tfjs-layers' orthogonal initializer fails in Node here (and is slow), and
// the starting weights do not change the time of a step.
const tfjsRecurrent = { recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' } as const;

function tfjsSide(): Side {
  const model = tfl.sequential({
    layers: [
      tfl.layers.lstm({ units: UNITS, inputShape: [IN_LEN, CHARS], ...tfjsRecurrent }),
      tfl.layers.repeatVector({ n: OUT_LEN }),
      tfl.layers.lstm({ units: UNITS, returnSequences: true, ...tfjsRecurrent }),
      tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: CHARS, activation: 'softmax' }) }),
    ],
  });
  const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return {
    step: (x, y) => model.trainOnBatch(x, y),
    dispose: () => {
      model.dispose();
      optimizer.dispose();
    },
  };
}

async function brickmlSide(): Promise<Side> {
  const { Sequential } = await import('@brickml/models');
  const { Dense, LSTM, RepeatVector, TimeDistributed } = await import('@brickml/layers');
  const model = new Sequential({
    name: 'addition_rnn',
    inputShape: [IN_LEN, CHARS],
    layers: [
      new LSTM({ units: UNITS }),
      new RepeatVector({ n: OUT_LEN }),
      new LSTM({ units: UNITS, returnSequences: true }),
      new TimeDistributed({ layer: new Dense({ units: CHARS, activation: 'softmax' }) }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return { step: (x, y) => model.trainOnBatch(x, y), dispose: () => model.dispose() };
}

interface Timing {
  /** Mean wall time per step. */
  wall: number;
  /** Mean CPU time of the process per step. */
  cpu: number;
  /** The fastest step's wall time: on a machine others share, the step that ran least disturbed. */
  fastest: number;
}

/**
 * Milliseconds per step over STEPS steps, after three warm-up steps as torch_reference.py takes (kernel
 * compilation, optimizer state, V8's baseline-compiled first calls of a new wasm module).
 */
async function msPerStep(name: string, make: () => Side | Promise<Side>): Promise<Timing | string> {
  if (values.only && values.only !== name) return 'skipped';
  const side = await make();
  const data = Array.from({ length: 4 }, (_, i) => batch(10 * i));
  try {
    for (const d of data.slice(0, 3)) await side.step(d.x, d.y);
    const start = performance.now();
    const cpu = process.cpuUsage();
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < STEPS; i++) {
      const d = data[i % data.length] as { x: tf.Tensor; y: tf.Tensor };
      const t = performance.now();
      await side.step(d.x, d.y);
      fastest = Math.min(fastest, performance.now() - t);
    }
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - start) / STEPS, cpu: (used.user + used.system) / 1000 / STEPS, fastest };
  } finally {
    side.dispose();
    for (const d of data) tf.dispose([d.x, d.y]);
  }
}

/** Profiles one training step (after two warm-up steps) and prints the kernels that took the most time. */
async function profileStep(name: string, make: () => Side | Promise<Side>): Promise<void> {
  if (values.only && values.only !== name) return;
  const side = await make();
  const d = batch(0);
  try {
    for (let i = 0; i < 2; i++) await side.step(d.x, d.y);
    const dispatches = countDispatches();
    const wall = performance.now();
    const info = await tf.profile(async () => {
      await side.step(d.x, d.y);
    });
    const wallMs = performance.now() - wall;
    const gpu = dispatches.stop();
    const byKernel = new Map<string, { count: number; ms: number }>();
    for (const k of info.kernels) {
      const row = byKernel.get(k.name) ?? { count: 0, ms: 0 };
      row.count++;
      if (typeof k.kernelTimeMs === 'number') row.ms += k.kernelTimeMs;
      byKernel.set(k.name, row);
    }
    const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms || b[1].count - a[1].count);
    const total = rows.reduce((s, [, r]) => s + r.ms, 0);
    console.log(
      `\n${name}, one addition_rnn step on ${label}: ${info.kernels.length} kernel calls, ` +
        `${total.toFixed(1)} ms in kernels, ${wallMs.toFixed(1)} ms wall (profiling adds overhead)` +
        (gpu === null ? '' : `; ${gpu} GPU dispatches`),
    );
    console.log(`${'kernel'.padEnd(24)}${'calls'.padStart(7)}${'ms'.padStart(10)}${'share'.padStart(8)}`);
    for (const [kernel, r] of rows.slice(0, Number(values.top))) {
      const share = total > 0 ? `${((100 * r.ms) / total).toFixed(1)}%` : '';
      console.log(
        `${kernel.padEnd(24)}${String(r.count).padStart(7)}${r.ms.toFixed(2).padStart(10)}${share.padStart(8)}`,
      );
    }
  } finally {
    side.dispose();
    tf.dispose([d.x, d.y]);
  }
}

if (values.profile) {
  await profileStep('tfjs', tfjsSide);
  await profileStep('brickml', brickmlSide);
  process.exit(0);
}

const tfjs = await msPerStep('tfjs', tfjsSide);
const ours = await msPerStep('brickml', brickmlSide);
const cells = (k: keyof Timing) => {
  if (typeof tfjs === 'string' || typeof ours === 'string') {
    return [tfjs, ours].map((v) => (typeof v === 'string' ? v : v[k].toFixed(1))).concat('n/a');
  }
  return [tfjs[k].toFixed(1), ours[k].toFixed(1), `${(ours[k] / tfjs[k]).toFixed(2)}x`];
};
const load = (await import('node:os')).loadavg()[0]?.toFixed(1);
console.log(`\naddition_rnn (LSTM ${UNITS}, batch ${BATCH}), ms per training step over ${STEPS} steps, load ${load}`);
console.log('| backend | measure | tfjs-layers | brickml | brickml/tfjs |');
console.log('|---|---|---|---|---|');
for (const [k, what] of [
  ['wall', 'mean wall'],
  ['cpu', 'mean CPU'],
  ['fastest', 'fastest step'],
] as const) {
  console.log(`| ${label} | ${what} | ${cells(k).join(' | ')} |`);
}
process.exit(0);
