/**
 * Times one training step of Keras' addition_rnn model ("535+61" → "596") in tfjs-layers and in brickml, on
 * the same backend, the same batches and the same batch size, and prints milliseconds per step.
 *
 *   pnpm --filter @brickml/bench rnn --backend wasm --steps 20
 *
 * Model (Keras' addition_rnn with DIGITS = 3): input [7, 12] one-hot characters, LSTM 128, RepeatVector 4,
 * LSTM 128 returnSequences, TimeDistributed(Dense 12 softmax); Adam; categorical cross-entropy; batch 32.
 * tfjs-layers' LSTM is given recurrentActivation 'sigmoid' (its default is hardSigmoid; Keras 3's is sigmoid).
 */
import { parseArgs } from 'node:util';
import { type BackendName, useBackend } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string', default: '20' },
    batch: { type: 'string', default: '32' },
    units: { type: 'string', default: '128' },
    only: { type: 'string' },
  },
});
const STEPS = Number(values.steps);
const BATCH = Number(values.batch);
const UNITS = Number(values.units);
const IN_LEN = 7;
const OUT_LEN = 4;
const CHARS = 12;

const info = await useBackend(values.backend as BackendName);
const label = `${info.name}${info.adapter ? ` (${info.adapter})` : ''}`;

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

/** Milliseconds per step over STEPS steps, after two warm-up steps (kernel compilation, optimizer state). */
async function msPerStep(name: string, make: () => Side | Promise<Side>): Promise<number | string> {
  if (values.only && values.only !== name) return 'skipped';
  const side = await make();
  const data = Array.from({ length: 4 }, (_, i) => batch(10 * i));
  try {
    for (const d of data.slice(0, 2)) await side.step(d.x, d.y);
    const start = performance.now();
    for (let i = 0; i < STEPS; i++) {
      const d = data[i % data.length] as { x: tf.Tensor; y: tf.Tensor };
      await side.step(d.x, d.y);
    }
    return (performance.now() - start) / STEPS;
  } finally {
    side.dispose();
    for (const d of data) tf.dispose([d.x, d.y]);
  }
}

const tfjs = await msPerStep('tfjs', tfjsSide);
const ours = await msPerStep('brickml', brickmlSide);
const fmt = (v: number | string) => (typeof v === 'number' ? v.toFixed(1) : v);
const ratio = typeof tfjs === 'number' && typeof ours === 'number' ? `${(ours / tfjs).toFixed(2)}x` : 'n/a';
console.log(`\naddition_rnn (LSTM ${UNITS}, batch ${BATCH}), ms per training step over ${STEPS} steps`);
console.log('| backend | tfjs-layers ms/step | brickml ms/step | brickml/tfjs |');
console.log('|---|---|---|---|');
console.log(`| ${label} | ${fmt(tfjs)} | ${fmt(ours)} | ${ratio} |`);
process.exit(0);
