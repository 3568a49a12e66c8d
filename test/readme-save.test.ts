/** The README's "Save, continue training, move to Keras or tfjs and back" section, run as written on tiny data. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackupAndRestore, Dense, loadModel, type Model, ModelCheckpoint, Sequential, setSeed } from 'brickml';
import { afterAll, beforeAll, expect, test } from 'vitest';

const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const y = [[0], [1], [1], [0]];

function build(): Sequential {
  setSeed(4);
  const model = new Sequential({
    inputShape: [2],
    layers: [new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })],
  });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return model;
}

async function weights(m: Model): Promise<number[][]> {
  const ws = m.getWeights();
  const out = await Promise.all(ws.map(async (w) => Array.from(await w.data())));
  tf.dispose(ws);
  return out;
}

let dir = '';
const cwd = process.cwd();
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brickml-readme-'));
  process.chdir(dir);
});
afterAll(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

test('save, load compiled, checkpoint and resume, backup, .keras and tfjs as the README shows', async () => {
  const model = build();
  await model.fit(x, y, { epochs: 2, verbose: 0 });
  await model.save('./mnist-model');
  const again = await loadModel('./mnist-model');
  await again.fit(x, y, { epochs: 2, verbose: 0 });

  const straight = build();
  await straight.fit(x, y, { epochs: 10, verbose: 0 });
  const callbacks = () => [new ModelCheckpoint({ filepath: 'ckpt/epoch-{epoch:02d}' })];
  const checkpointed = build();
  await checkpointed.fit(x, y, { epochs: 10, verbose: 0, callbacks: callbacks() });
  const m = await loadModel('ckpt/epoch-04');
  await m.fit(x, y, { epochs: 10, verbose: 0, callbacks: callbacks(), trainingState: m.trainingState });
  expect(await weights(m)).toEqual(await weights(straight));
  const backedUp = build();
  await backedUp.fit(x, y, { epochs: 10, verbose: 0, callbacks: [new BackupAndRestore({ backupDir: 'backup' })] });
  expect(await weights(backedUp)).toEqual(await weights(straight));

  await model.save('model.keras');
  const fromKeras = await loadModel('model.keras');
  await model.save('./web-model', { format: 'tfjs' });
  const fromTfjs = await loadModel('./web-model');
  const expected = await weights(model);
  for (const copy of [fromKeras, fromTfjs]) {
    const got = await weights(copy);
    got.forEach((w, i) => {
      w.forEach((v, j) => {
        expect(v).toBeCloseTo((expected[i] as number[])[j] as number, 6);
      });
    });
  }
  for (const k of [model, again, straight, checkpointed, m, backedUp, fromKeras, fromTfjs]) k.dispose();
});
