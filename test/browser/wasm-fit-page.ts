/**
 * The page side of the wasm fit in the playground test: brickml's browser bundle (no externals) trains a
 * small classifier on the wasm backend, whose binaries the test serves under /wasm/.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { Dense, Sequential, setSeed, useBackend } from 'brickml';

async function run(): Promise<{ backend: string; losses: number[]; accuracy: number }> {
  setWasmPaths('/wasm/');
  await useBackend('wasm');
  setSeed(5);
  // Two clusters of points, one class each.
  const x = tf.concat([tf.randomNormal([64, 4], -1, 0.5), tf.randomNormal([64, 4], 1, 0.5)]);
  const y = tf.oneHot(tf.concat([tf.zeros([64], 'int32'), tf.ones([64], 'int32')]) as tf.Tensor1D, 2);
  const yFloat = tf.cast(y, 'float32');
  const model = new Sequential({
    inputShape: [4],
    layers: [new Dense({ units: 8, activation: 'relu' }), new Dense({ units: 2, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(x, yFloat, { epochs: 20, batchSize: 16, verbose: 0 });
  const backend = tf.getBackend();
  tf.dispose([x, y, yFloat]);
  model.dispose();
  const losses = history.history.loss as number[];
  const accuracy = (history.history.accuracy as number[]).at(-1) as number;
  return { backend, losses, accuracy };
}

(globalThis as { runWasmFit?: typeof run }).runWasmFit = run;
