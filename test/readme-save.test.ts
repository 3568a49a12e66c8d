/** The README's "Save, continue training, move to Keras or tfjs and back" section, run as written on tiny data. */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { weightValues } from '@brickml/test-utils';
import { BackupAndRestore, Dense, LambdaCallback, loadModel, ModelCheckpoint, Sequential, setSeed } from 'brickml';
import { afterAll, beforeAll, expect, test } from 'vitest';

const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const y = [[0], [1], [1], [0]];
// A Sequential of two Dense layers that Keras 3.10 wrote (origin in that folder's README).
const KERAS_FIXTURE = '../packages/models/src/formats/keras/fixtures/xor-sequential-dense.keras';

function build(): Sequential {
  setSeed(4);
  const model = new Sequential({
    inputShape: [2],
    layers: [new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })],
  });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return model;
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
  expect(await weightValues(m)).toEqual(await weightValues(straight));
  // The script killed during epoch 6, then run again from the start: the second run picks up the backup.
  const killed = build();
  const kill = new LambdaCallback({
    onEpochEnd: (epoch) => {
      if (epoch === 5) throw new Error('killed');
    },
  });
  await expect(
    killed.fit(x, y, { epochs: 10, verbose: 0, callbacks: [new BackupAndRestore({ backupDir: 'backup' }), kill] }),
  ).rejects.toThrow('killed');
  const backedUp = build();
  await backedUp.fit(x, y, { epochs: 10, verbose: 0, callbacks: [new BackupAndRestore({ backupDir: 'backup' })] });
  expect(await weightValues(backedUp)).toEqual(await weightValues(straight));

  await model.save('model.keras');
  await copyFile(fileURLToPath(new URL(KERAS_FIXTURE, import.meta.url)), 'trained.keras');
  const fromKeras = await loadModel('trained.keras'); // a file Keras 3 wrote
  const roundTrip = await loadModel('model.keras');
  await model.save('./web-model', { format: 'tfjs' });
  const fromTfjs = await loadModel('./web-model');
  const expected = await weightValues(model);
  expect(fromKeras.layers.map((l) => l.className)).toEqual(['Dense', 'Dense']);
  for (const copy of [roundTrip, fromTfjs]) {
    const got = await weightValues(copy);
    got.forEach((w, i) => {
      w.forEach((v, j) => {
        expect(v).toBeCloseTo((expected[i] as number[])[j] as number, 6);
      });
    });
  }
  for (const k of [model, again, straight, checkpointed, m, killed, backedUp, fromKeras, roundTrip, fromTfjs])
    k.dispose();
});
