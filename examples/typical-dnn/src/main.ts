/**
 * The lecture's "typical DNN", written as a JSON spec: four Conv/MaxPool stages shrink a 128x128x3
 * image to 6x6x40, then Dense 512, ReLU, Dense 256, ReLU, Dense 1. Builds it from the spec, prints the
 * summary (every shape of the lecture's table) and trains a few steps on synthetic images whose label
 * says whether the left half is brighter than the right.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, Random, Sequential, setSeed, useBackend } from 'brickml';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string', default: '5' },
    batchSize: { type: 'string', default: '8' },
  },
});
await useBackend(values.backend as BackendName);
setSeed(5);

const spec = JSON.parse(readFileSync(new URL('../typical-dnn.json', import.meta.url), 'utf8'));
const model = Sequential.fromSpec(spec);
model.summary();
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });

const batch = Number(values.batchSize);
const steps = Number(values.steps);
const n = batch * steps;
const rand = new Random(9);
const pixels = new Float32Array(n * 128 * 128 * 3);
const labels = new Float32Array(n);
for (let i = 0; i < n; i++) {
  const brighterLeft = rand.next() < 0.5;
  labels[i] = brighterLeft ? 1 : 0;
  for (let p = 0; p < 128 * 128 * 3; p++) {
    const column = Math.floor(p / 3) % 128;
    const bright = column < 64 === brighterLeft;
    pixels[i * 128 * 128 * 3 + p] = (bright ? 0.6 : 0.3) + 0.2 * rand.next();
  }
}
const x = tf.tensor4d(pixels, [n, 128, 128, 3]);
const y = tf.tensor2d(labels, [n, 1]);
const history = await model.fit(x, y, { epochs: 2, batchSize: batch, verbose: 2 });
console.log(`loss per epoch: ${history.history.loss?.map((v) => v.toFixed(4)).join(' → ')}`);
tf.dispose([x, y]);
model.dispose();
