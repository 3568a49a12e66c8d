/**
 * Linear regression four ways. The explicit solution solves the normal equations XᵀX·w = Xᵀy; gradient
 * descent (full batch), SGD (mini-batches), RMSprop and Adam minimize the same mean squared error and
 * should land on it. Prints each one's distance ‖w - w*‖ to the explicit solution.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, Dense, Random, Sequential, setSeed, useBackend } from 'brickml';

const { values } = parseArgs({
  options: { backend: { type: 'string', default: 'cpu' }, epochs: { type: 'string', default: '200' } },
});
await useBackend(values.backend as BackendName);
setSeed(7);

// y = 3·x1 - 2·x2 + 0.5·x3 + 1 + noise
const n = 512;
const d = 3;
const rand = new Random(11);
const xs = rand.normalArray(n * d);
const trueW = [3, -2, 0.5];
const ys = new Float32Array(n);
for (let i = 0; i < n; i++) {
  let v = 1 + 0.1 * rand.normal();
  for (let j = 0; j < d; j++) v += (trueW[j] as number) * (xs[i * d + j] as number);
  ys[i] = v;
}

/** Solves (AᵀA) w = Aᵀy with A = [X, 1] by Gaussian elimination in float64. */
function normalEquations(): number[] {
  const m = d + 1;
  // The augmented matrix [AᵀA | Aᵀy], row-major in one Float64Array.
  const w = m + 1;
  const aug = new Float64Array(m * w);
  const row = new Float64Array(m);
  const add = (i: number, v: number) => {
    aug[i] = (aug[i] as number) + v;
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = xs[i * d + j] as number;
    row[d] = 1;
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) add(a * w + b, (row[a] as number) * (row[b] as number));
      add(a * w + m, (row[a] as number) * (ys[i] as number));
    }
  }
  for (let c = 0; c < m; c++) {
    const pivot = aug[c * w + c] as number;
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = (aug[r * w + c] as number) / pivot;
      for (let k = c; k <= m; k++) add(r * w + k, -f * (aug[c * w + k] as number));
    }
  }
  return Array.from({ length: m }, (_, i) => (aug[i * w + m] as number) / (aug[i * w + i] as number));
}

const explicit = normalEquations();
console.log(`explicit solution (normal equations): w = [${explicit.map((v) => v.toFixed(4)).join(', ')}]`);

const x = tf.tensor2d(xs, [n, d]);
const y = tf.tensor2d(ys, [n, 1]);
const epochs = Number(values.epochs);
const runs = [
  { name: 'gradient descent', optimizer: { className: 'SGD', config: { learningRate: 0.1 } }, batchSize: n },
  { name: 'SGD (batch 32)', optimizer: { className: 'SGD', config: { learningRate: 0.01 } }, batchSize: 32 },
  { name: 'RMSprop (batch 32)', optimizer: { className: 'RMSprop', config: { learningRate: 0.01 } }, batchSize: 32 },
  { name: 'Adam (batch 32)', optimizer: { className: 'Adam', config: { learningRate: 0.05 } }, batchSize: 32 },
  {
    // "Decrease your learning rate!": the same Adam, its rate halved every 20 epochs.
    name: 'Adam, decaying rate',
    optimizer: {
      className: 'Adam',
      config: {
        learningRate: {
          className: 'ExponentialDecay',
          config: { initialLearningRate: 0.05, decaySteps: 320, decayRate: 0.5 },
        },
      },
    },
    batchSize: 32,
  },
] as const;

let worst = 0;
for (const run of runs) {
  const dense = new Dense({ units: 1 });
  const model = new Sequential({ inputShape: [d], layers: [dense] });
  model.compile({ optimizer: run.optimizer, loss: 'meanSquaredError' });
  await model.fit(x, y, { epochs, batchSize: run.batchSize, verbose: 0 });
  const w = [...(await dense.params.kernel.data()), ...(await dense.params.bias!.data())];
  const distance = Math.sqrt(w.reduce((s, v, i) => s + (v - (explicit[i] as number)) ** 2, 0));
  worst = Math.max(worst, distance);
  console.log(
    `${run.name.padEnd(20)} w = [${w.map((v) => v.toFixed(4)).join(', ')}]  distance to explicit: ${distance.toExponential(2)}`,
  );
  model.dispose();
}
tf.dispose([x, y]);
process.exitCode = worst < 0.05 ? 0 : 1;
