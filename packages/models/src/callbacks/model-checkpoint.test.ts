import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setSeed } from '@brickml/core';
import { Dense } from '@brickml/layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadModel } from '../node.js';
import { Sequential } from '../sequential.js';
import type { Logs } from '../types.js';
import { LambdaCallback } from './lambda-callback.js';
import { ModelCheckpoint } from './model-checkpoint.js';

const X = Array.from({ length: 10 }, (_, i) => [i / 10, (i % 3) / 3]);
const Y = Array.from({ length: 10 }, (_, i) => [i % 2]);

function model(): Sequential {
  setSeed(3);
  const m = new Sequential({ name: 'ckpt', inputShape: [2], layers: [new Dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return m;
}

/** Sets `score` in each epoch's logs from a script, so which epochs improve is known. */
const scripted = (scores: number[]) =>
  new LambdaCallback({
    onEpochEnd: (epoch: number, logs: Logs) => {
      logs.score = scores[epoch] as number;
    },
  });

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brickml-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The epoch each checkpoint folder under `sub` resumes at, by folder name. */
async function savedEpochs(sub: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of (await readdir(join(dir, sub))).sort()) {
    const m = await loadModel(join(dir, sub, name));
    out[name] = m.trainingState?.epoch;
    m.dispose();
  }
  return out;
}

describe('ModelCheckpoint', () => {
  test('saves every epoch by default, each holding the epoch to resume at', async () => {
    const m = model();
    await m.fit(X, Y, {
      epochs: 3,
      batchSize: 4,
      verbose: 0,
      callbacks: [new ModelCheckpoint({ filepath: join(dir, 'all', 'e{epoch}') })],
    });
    m.dispose();
    expect(await savedEpochs('all')).toEqual({ e1: 1, e2: 2, e3: 3 });
  });

  test('saveBestOnly saves only the epochs that beat the best so far', async () => {
    const m = model();
    const scores = [0.5, 0.4, 0.7, 0.7, 0.9];
    const cb = new ModelCheckpoint({
      filepath: join(dir, 'best', 'e{epoch}-{score:.1f}'),
      monitor: 'score',
      mode: 'max',
      saveBestOnly: true,
    });
    await m.fit(X, Y, { epochs: 5, batchSize: 4, verbose: 0, callbacks: [scripted(scores), cb] });
    m.dispose();
    expect(await savedEpochs('best')).toEqual({ 'e1-0.5': 1, 'e3-0.7': 3, 'e5-0.9': 5 });
    expect(cb.best).toBe(0.9);
  });

  test('initialValueThreshold is the value the first save must beat', async () => {
    const m = model();
    const cb = new ModelCheckpoint({
      filepath: join(dir, 'threshold', 'e{epoch}'),
      monitor: 'score',
      mode: 'min',
      saveBestOnly: true,
      initialValueThreshold: 0.3,
    });
    await m.fit(X, Y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [scripted([0.5, 0.2, 0.25]), cb] });
    m.dispose();
    expect(cb.saved.map((p) => p.slice(-2))).toEqual(['e2']);
  });

  test('period saves every N-th epoch', async () => {
    const m = model();
    await m.fit(X, Y, {
      epochs: 5,
      batchSize: 4,
      verbose: 0,
      callbacks: [new ModelCheckpoint({ filepath: join(dir, 'period', 'e{epoch:02d}'), period: 2 })],
    });
    m.dispose();
    expect(await savedEpochs('period')).toEqual({ e02: 2, e04: 4 });
  });

  test('a saveFreq in batches counts batches across epochs and resumes at the start of their epoch', async () => {
    const m = model();
    // 10 samples in batches of 4: three batches an epoch, so saves after batches 2, 4 and 6 of the run.
    const cb = new ModelCheckpoint({ filepath: join(dir, 'batches', 'e{epoch}-b{batch}'), saveFreq: 2 });
    await m.fit(X, Y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [cb] });
    m.dispose();
    expect(await savedEpochs('batches')).toEqual({ 'e1-b2': 0, 'e2-b1': 1, 'e2-b3': 1 });
  });

  test('saveWeightsOnly saves the weights without the optimizer or the training state', async () => {
    const m = model();
    const cb = new ModelCheckpoint({ filepath: join(dir, 'weights'), saveWeightsOnly: true });
    await m.fit(X, Y, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [cb] });
    const loaded = await loadModel(join(dir, 'weights'));
    expect(loaded.trainingState).toBeNull();
    expect(loaded.isCompiled).toBe(false);
    const [a, b] = [m.getWeights(), loaded.getWeights()];
    expect(await Promise.all(b.map((t) => t.data()))).toEqual(await Promise.all(a.map((t) => t.data())));
    for (const t of [...a, ...b]) t.dispose();
    m.dispose();
    loaded.dispose();
  });

  test('a monitor missing from the logs skips the best-only save with one warning', async () => {
    const m = model();
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(line);
    try {
      const cb = new ModelCheckpoint({ filepath: join(dir, 'missing'), saveBestOnly: true });
      await m.fit(X, Y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [cb] });
      expect(cb.saved).toEqual([]);
    } finally {
      console.warn = warn;
      m.dispose();
    }
    expect(warnings).toEqual([
      "ModelCheckpoint: cannot save the best model, monitor 'val_loss' is not in the logs; available: loss",
    ]);
  });

  test('a filepath naming a value the logs lack is a named error', async () => {
    const m = model();
    const cb = new ModelCheckpoint({ filepath: join(dir, 'e{epoch}-{val_acc:.2f}') });
    await expect(m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [cb] })).rejects.toThrow(
      "ModelCheckpoint: filepath names '{val_acc}', which is not among the values to fill it: loss, epoch",
    );
    m.dispose();
  });

  test.each([
    [{}, /^ModelCheckpoint: filepath .*received nothing$/],
    [{ filepath: 'x', saveFreq: 0 }, /^ModelCheckpoint: saveFreq .*received 0$/],
    [{ filepath: 'x', period: 1.5 }, 'ModelCheckpoint: period must be a positive integer, received 1.5'],
    [{ filepath: 'x', monitor: 'f1' }, "ModelCheckpoint: cannot tell whether monitor 'f1' should go up or down"],
    [
      { filepath: 'e{epoch}-b{batch}' },
      "ModelCheckpoint: filepath 'e{epoch}-b{batch}' names '{batch}', but saves are made at epochs' ends (saveFreq 'epoch'); give saveFreq a number of batches, or drop '{batch}'",
    ],
    [{ filepath: 'ckpt-{epoch' }, "ModelCheckpoint: filepath has an unmatched '{' (write '{{' for a brace)"],
    [{ filepath: 'ckpt-{}' }, "ModelCheckpoint: filepath has a field with no name, '{}'; name a value: '{epoch}'"],
    [
      { filepath: 'ckpt-{epoch:q}' },
      "ModelCheckpoint: filepath field '{epoch:q}' has a format spec brickml does not read",
    ],
    [
      { filepath: 'ckpt-{epoch}.keras' },
      "ModelCheckpoint: filepath 'ckpt-{epoch}.keras' is a .keras file, which holds no optimizer state or training progress, so a fit could not resume from it; save to a folder (no '.keras'), or set saveWeightsOnly: true",
    ],
  ])('refuses the config %j by name', (config, message) => {
    expect(() => new ModelCheckpoint(config as never)).toThrow(message);
  });

  test('a {batch} field is accepted with saves every N batches', () => {
    expect(new ModelCheckpoint({ filepath: 'e{epoch}-b{batch:03d}', saveFreq: 5 }).config.saveFreq).toBe(5);
  });

  test('a NaN monitor skips the best-only save with a warning that says so, once per fit', async () => {
    const m = model();
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(line);
    try {
      const cb = new ModelCheckpoint({ filepath: join(dir, 'nan'), monitor: 'score', saveBestOnly: true, mode: 'min' });
      for (let fit = 0; fit < 2; fit++) {
        await m.fit(X, Y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [scripted([Number.NaN, Number.NaN]), cb] });
      }
      expect(cb.saved).toEqual([]);
      expect(cb.best).toBeUndefined();
    } finally {
      console.warn = warn;
      m.dispose();
    }
    const line = "ModelCheckpoint: monitor 'score' is NaN, so nothing was saved as the best model";
    expect(warnings).toEqual([line, line]);
  });

  test('a best-only save holds its own value as the best to resume with', async () => {
    const m = model();
    const cb = new ModelCheckpoint({
      filepath: join(dir, 'best-state', 'e{epoch}'),
      monitor: 'score',
      mode: 'max',
      saveBestOnly: true,
    });
    await m.fit(X, Y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [scripted([0.5, 0.4, 0.7]), cb] });
    m.dispose();
    const bests: unknown[] = [];
    for (const path of cb.saved) {
      const loaded = await loadModel(path);
      bests.push((loaded.trainingState as { callbacks: { best: number }[] }).callbacks[0]?.best);
      loaded.dispose();
    }
    expect(bests).toEqual([0.5, 0.7]);
  });

  test('the best value changes only once its save succeeded', async () => {
    const cb = new ModelCheckpoint({ filepath: 'ckpt', monitor: 'loss', saveBestOnly: true });
    let full = true;
    cb.setModel({
      stopTraining: false,
      optimizer: { currentLearningRate: () => 0.1, setLearningRate: () => {} },
      getWeights: () => [],
      setWeights: () => {},
      save: async () => {
        if (full) throw new Error('disk full');
      },
    });
    cb.onTrainBegin();
    await expect(cb.onEpochEnd(0, { loss: 0.5 })).rejects.toThrow('disk full');
    expect(cb.best).toBeUndefined();
    full = false;
    await cb.onEpochEnd(1, { loss: 0.6 });
    expect(cb.best).toBe(0.6);
    expect(cb.saved).toEqual(['ckpt']);
  });

  test('a .keras filepath with saveWeightsOnly saves the spec and weights alone', async () => {
    const m = model();
    const calls: unknown[] = [];
    const save = m.save.bind(m);
    m.save = (target, options) => {
      calls.push(options);
      return save(target, options);
    };
    const cb = new ModelCheckpoint({ filepath: join(dir, 'keras', 'e{epoch}.keras'), saveWeightsOnly: true });
    await m.fit(X, Y, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [cb] });
    expect(calls).toEqual([{ includeOptimizer: false }]);
    const loaded = await loadModel(join(dir, 'keras', 'e1.keras'));
    expect(loaded.trainingState).toBeNull();
    const [a, b] = [m.getWeights(), loaded.getWeights()];
    expect(await Promise.all(b.map((t) => t.data()))).toEqual(await Promise.all(a.map((t) => t.data())));
    for (const t of [...a, ...b]) t.dispose();
    m.dispose();
    loaded.dispose();
  });

  test('setState refuses the state of another callback by name', () => {
    const cb = new ModelCheckpoint({ filepath: 'x' });
    expect(() => cb.setState({ className: 'EarlyStopping', best: 1, batchesSinceSave: 0 })).toThrow(
      /^ModelCheckpoint\.setState: className /,
    );
  });
});
