import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rng, setSeed } from '@brickml/core';
import { Concatenate, Dense, Dropout, input } from '@brickml/layers';
import { expectNoLeak } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CompileArgs } from '../engine/compile.js';
import { Model } from '../model.js';
import { loadModel } from '../node.js';
import { Sequential } from '../sequential.js';
import type { Callback, Logs, TrainingState } from '../types.js';
import { BackupAndRestore } from './backup-and-restore.js';
import { LambdaCallback } from './lambda-callback.js';
import { LearningRateScheduler } from './learning-rate-scheduler.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';

// 23 samples in batches of 5: the last batch is short, and shuffling changes which samples share a batch.
const X = Array.from({ length: 23 }, (_, i) => [Math.sin(i), Math.cos(1.3 * i), (i % 5) / 5, ((i * 7) % 11) / 11]);
const Y = Array.from({ length: 23 }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0, i % 3 === 2 ? 1 : 0]);
const FIT = { batchSize: 5, shuffle: true, verbose: 0 } as const;

/** The same script every run: seed, model (Dropout draws from the global generator), compile. */
function build(optimizer: CompileArgs['optimizer'], dropoutSeed?: number): Sequential {
  setSeed(11);
  const model = new Sequential({
    name: 'resumed',
    inputShape: [4],
    layers: [
      new Dense({ name: 'hidden', units: 6, activation: 'tanh' }),
      new Dropout({ name: 'drop', rate: 0.3, ...(dropoutSeed !== undefined && { seed: dropoutSeed }) }),
      new Dense({ name: 'out', units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Two nested Sequentials, each with a seeded Dropout named 'drop': names repeat across nesting levels. */
function twinTowers(optimizer: CompileArgs['optimizer']): Model {
  setSeed(11);
  const tower = (name: string, seed: number) =>
    new Sequential({
      name,
      inputShape: [4],
      layers: [
        new Dense({ name: 'hidden', units: 6, activation: 'tanh' }),
        new Dropout({ name: 'drop', rate: 0.4, seed }),
      ],
    });
  const x = input({ shape: [4], name: 'x' });
  const joined = new Concatenate({ name: 'join' }).apply([tower('a', 5).apply(x), tower('b', 9).apply(x)] as never);
  const y = new Dense({ name: 'out', units: 3, activation: 'softmax' }).apply(joined);
  const model = new Model({ inputs: x, outputs: y, name: 'twins' });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Every epoch's logs, in order, across fits. */
function recorder(into: Logs[]): Callback {
  return new LambdaCallback({ onEpochEnd: (_e, logs) => void into.push({ ...logs }) });
}

const weightsOf = async (model: Model) => {
  const ws = model.getWeights();
  const values = await Promise.all(ws.map((w) => w.data()));
  tf.dispose(ws);
  return values.map((v) => Array.from(v));
};

interface Scenario {
  optimizer: CompileArgs['optimizer'];
  /** Fresh callbacks with state (the same list in every run). */
  callbacks: () => Callback[];
  epochs: number;
  /** Epochs before the checkpoint the resumed run starts from. */
  stopAfter: number;
  /** A seed of Dropout's own, or none (the global generator). */
  dropoutSeed?: number;
  /** The model every run builds, compiled. Default: build(optimizer, dropoutSeed). */
  make?: () => Model;
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'brickml-resume-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Weights and logs of an uninterrupted run, and of a run stopped at a checkpoint and resumed from it by loadModel. */
async function both(scenario: Scenario, name: string) {
  const { optimizer, callbacks, epochs, stopAfter, dropoutSeed } = scenario;
  const make = scenario.make ?? (() => build(optimizer, dropoutSeed));
  const straightLogs: Logs[] = [];
  const straight = make();
  await straight.fit(X, Y, { ...FIT, epochs, callbacks: [...callbacks(), recorder(straightLogs)] });
  const expected = await weightsOf(straight);
  straight.dispose();

  const resumedLogs: Logs[] = [];
  const first = make();
  const filepath = join(dir, name, 'ckpt-{epoch:02d}');
  const checkpoint = new ModelCheckpoint({ filepath });
  await first.fit(X, Y, { ...FIT, epochs: stopAfter, callbacks: [...callbacks(), recorder(resumedLogs), checkpoint] });
  first.dispose();
  setSeed(12345); // another script's draws in between must not matter
  rng().uniformArray(17);
  const loaded = await loadModel(checkpoint.saved.at(-1) as string);
  await loaded.fit(X, Y, {
    ...FIT,
    epochs,
    callbacks: [...callbacks(), recorder(resumedLogs), new ModelCheckpoint({ filepath })],
    trainingState: loaded.trainingState,
  });
  const actual = await weightsOf(loaded);
  const streams = Object.keys((loaded.trainingState as TrainingState).streams);
  loaded.dispose();
  return { expected, actual, straightLogs, resumedLogs, streams };
}

describe('a run resumed from a ModelCheckpoint equals the uninterrupted run on cpu', () => {
  test('Adam, with Dropout and shuffling', async () => {
    const r = await both(
      {
        optimizer: { className: 'Adam', config: { learningRate: 0.02 } },
        callbacks: () => [],
        epochs: 4,
        stopAfter: 2,
      },
      'adam',
    );
    expect(r.resumedLogs).toEqual(r.straightLogs);
    expect(r.actual).toEqual(r.expected);
  });

  test('a Dropout drawing from a stream of its own seed', async () => {
    const optimizer = { className: 'Adam' as const, config: { learningRate: 0.02 } };
    const r = await both({ optimizer, callbacks: () => [], epochs: 4, stopAfter: 2, dropoutSeed: 9 }, 'stream');
    expect(r.resumedLogs).toEqual(r.straightLogs);
    expect(r.actual).toEqual(r.expected);
  });

  test('same-named seeded Dropouts in two nested models keep a generator each', async () => {
    const optimizer = { className: 'Adam' as const, config: { learningRate: 0.02 } };
    const make = () => twinTowers(optimizer);
    const r = await both({ optimizer, callbacks: () => [], epochs: 4, stopAfter: 2, make }, 'twins');
    expect(r.streams.sort()).toEqual(['a/drop/stream', 'b/drop/stream']);
    expect(r.resumedLogs).toEqual(r.straightLogs);
    expect(r.actual).toEqual(r.expected);
  });

  test('Adam with an exponentially decaying learning rate', async () => {
    const optimizer = {
      className: 'Adam' as const,
      config: {
        learningRate: {
          className: 'ExponentialDecay' as const,
          config: { initialLearningRate: 0.05, decaySteps: 3, decayRate: 0.7 },
        },
      },
    };
    const r = await both({ optimizer, callbacks: () => [], epochs: 4, stopAfter: 2 }, 'schedule');
    expect(r.resumedLogs).toEqual(r.straightLogs);
    expect(r.actual).toEqual(r.expected);
  });

  // Nothing improves by 10 after the first epoch, so the plateau's counters alone decide when it reduces; a
  // resumed ReduceLROnPlateau that started its counters afresh would reduce at another epoch.
  const sgd = { className: 'SGD' as const, config: { learningRate: 0.2, momentum: 0.9 } };
  const plateau = (patience: number, cooldown: number) => () => [
    new ReduceLROnPlateau({ monitor: 'loss', patience, cooldown, minDelta: 10, factor: 0.5 }),
  ];

  test('SGD with momentum and ReduceLROnPlateau reducing after the resume point', async () => {
    const r = await both({ optimizer: sgd, callbacks: plateau(3, 0), epochs: 5, stopAfter: 2 }, 'plateau-after');
    expect(r.straightLogs.map((l) => l.learning_rate)).toEqual([0.2, 0.2, 0.2, 0.1, 0.1]);
    expect(r.resumedLogs).toEqual(r.straightLogs);
    expect(r.actual).toEqual(r.expected);
  });

  test('ReduceLROnPlateau keeps its cooldown and the rate it set across the resume point', async () => {
    const r = await both({ optimizer: sgd, callbacks: plateau(1, 1), epochs: 4, stopAfter: 2 }, 'plateau-both');
    expect(r.straightLogs.map((l) => l.learning_rate)).toEqual([0.2, 0.1, 0.05, 0.025]);
    expect(r.resumedLogs).toEqual(r.straightLogs);
    expect(r.actual).toEqual(r.expected);
  });

  test('a LearningRateScheduler that scales the rate it is given', async () => {
    const callbacks = () => [new LearningRateScheduler((epoch, lr) => (epoch === 0 ? lr : lr * 0.6))];
    const r = await both(
      { optimizer: { className: 'Adam', config: { learningRate: 0.03 } }, callbacks, epochs: 4, stopAfter: 2 },
      'scheduler',
    );
    expect(r.resumedLogs).toEqual(r.straightLogs);
    expect(r.actual).toEqual(r.expected);
  });

  test("a model saved with its History's trainingState resumes exactly", async () => {
    const straight = build('adam');
    await straight.fit(X, Y, { ...FIT, epochs: 3 });
    const first = build('adam');
    const history = await first.fit(X, Y, { ...FIT, epochs: 2 });
    await first.save(join(dir, 'history'), { trainingState: history.trainingState as TrainingState });
    first.dispose();
    const loaded = await loadModel(join(dir, 'history'));
    await loaded.fit(X, Y, { ...FIT, epochs: 3, trainingState: loaded.trainingState });
    expect(await weightsOf(loaded)).toEqual(await weightsOf(straight));
    loaded.dispose();
    straight.dispose();
  });

  test('fitDataset resumes exactly from a saved trainingState too', async () => {
    // Batches of 5 from a generator function: a fresh pass each epoch, Dropout drawing from the generator.
    const batches = function* () {
      for (let i = 0; i < X.length; i += 5) yield { xs: X.slice(i, i + 5), ys: Y.slice(i, i + 5) };
    };
    const straight = build('adam');
    await straight.fitDataset(batches, { epochs: 3, verbose: 0 });
    const first = build('adam');
    const history = await first.fitDataset(batches, { epochs: 2, verbose: 0 });
    await first.save(join(dir, 'dataset'), { trainingState: history.trainingState as TrainingState });
    first.dispose();
    const loaded = await loadModel(join(dir, 'dataset'));
    await expect(
      loaded.fitDataset(batches, { epochs: 3, verbose: 0, initialEpoch: 1, trainingState: loaded.trainingState }),
    ).rejects.toThrow('initialEpoch 1 differs from trainingState.epoch 2; give only trainingState');
    await loaded.fitDataset(batches, { epochs: 3, verbose: 0, trainingState: loaded.trainingState });
    expect(await weightsOf(loaded)).toEqual(await weightsOf(straight));
    loaded.dispose();
    straight.dispose();
  });

  test('resuming without the training state does not reproduce the run', async () => {
    // The checkpoint alone (weights and optimizer) is not enough: the generator's position matters.
    const first = build('adam');
    const checkpoint = new ModelCheckpoint({ filepath: join(dir, 'stateless', 'ckpt-{epoch}') });
    await first.fit(X, Y, { ...FIT, epochs: 2, callbacks: [checkpoint] });
    first.dispose();
    const straight = build('adam');
    await straight.fit(X, Y, { ...FIT, epochs: 4 });
    const loaded = await loadModel(checkpoint.saved.at(-1) as string);
    await loaded.fit(X, Y, { ...FIT, epochs: 4, initialEpoch: 2 });
    expect(await weightsOf(loaded)).not.toEqual(await weightsOf(straight));
    loaded.dispose();
    straight.dispose();
  });

  test('save, load and resume leave no tensor behind', async () => {
    const filepath = join(dir, 'leak-{epoch}');
    const first = build('adam');
    await first.fit(X, Y, { ...FIT, epochs: 1, callbacks: [new ModelCheckpoint({ filepath })] });
    first.dispose();
    await expectNoLeak(async () => {
      const loaded = await loadModel(join(dir, 'leak-1'));
      await loaded.fit(X, Y, {
        ...FIT,
        epochs: 2,
        trainingState: loaded.trainingState,
        callbacks: [new ModelCheckpoint({ filepath })],
      });
      loaded.dispose();
    });
  });
});

describe('BackupAndRestore', () => {
  test('a fresh model continues a killed run to the identical result, and the backup is removed', async () => {
    const optimizer = { className: 'SGD' as const, config: { learningRate: 0.2, momentum: 0.9 } };
    const plateau = () => new ReduceLROnPlateau({ monitor: 'loss', patience: 1, minDelta: 10, factor: 0.5 });
    const straightLogs: Logs[] = [];
    const straight = build(optimizer);
    await straight.fit(X, Y, { ...FIT, epochs: 5, callbacks: [plateau(), recorder(straightLogs)] });
    const expected = await weightsOf(straight);
    straight.dispose();

    const backupDir = join(dir, 'backup');
    const logs: Logs[] = [];
    // Dies once, in the middle of the third epoch.
    let epochNow = -1;
    let armed = true;
    const killer = new LambdaCallback({
      onEpochBegin: (epoch) => {
        epochNow = epoch;
      },
      onBatchEnd: (batch) => {
        if (armed && epochNow === 2 && batch === 2) {
          armed = false;
          throw new Error('killed');
        }
      },
    });
    const first = build(optimizer);
    const run = first.fit(X, Y, {
      ...FIT,
      epochs: 5,
      callbacks: [new BackupAndRestore({ backupDir }), plateau(), recorder(logs), killer],
    });
    await expect(run).rejects.toThrow('killed');
    first.dispose();
    expect(logs).toHaveLength(2);

    const again = build(optimizer);
    const backup = new BackupAndRestore({ backupDir });
    await again.fit(X, Y, { ...FIT, epochs: 5, callbacks: [backup, plateau(), recorder(logs), killer] });
    expect(backup.resumedAt).toBe(2);
    expect(logs).toEqual(straightLogs);
    expect(await weightsOf(again)).toEqual(expected);
    again.dispose();
    expect(await readdir(backupDir)).toEqual([]);
  });

  test('backing up, restoring and deleting leave no tensor behind', async () => {
    const backupDir = join(dir, 'backup-leak');
    await expectNoLeak(async () => {
      const first = build('adam');
      await first.fit(X, Y, {
        ...FIT,
        epochs: 1,
        callbacks: [new BackupAndRestore({ backupDir, deleteCheckpoint: false })],
      });
      first.dispose();
      const again = build('adam');
      const backup = new BackupAndRestore({ backupDir });
      await again.fit(X, Y, { ...FIT, epochs: 2, callbacks: [backup] });
      expect(backup.resumedAt).toBe(1);
      again.dispose();
    });
  });

  test("a backup of another architecture is refused by name before the fit's progress changes", async () => {
    const backupDir = join(dir, 'backup-other');
    const first = build('adam');
    await first.fit(X, Y, {
      ...FIT,
      epochs: 1,
      callbacks: [new BackupAndRestore({ backupDir, deleteCheckpoint: false })],
    });
    first.dispose();
    setSeed(11);
    const other = new Sequential({ name: 'resumed', inputShape: [4], layers: [new Dense({ name: 'out', units: 3 })] });
    other.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const resumed: unknown[] = [];
    const backup = new BackupAndRestore({ backupDir });
    backup.setModel(other);
    backup.setProgress({
      snapshot: () => {
        throw new Error('not called');
      },
      resume: (state) => {
        resumed.push(state);
        return state as TrainingState;
      },
    });
    await expect(backup.onTrainBegin()).rejects.toThrow(
      'BackupAndRestore: the saved model has 4 weights, the model has 2: they are not one architecture',
    );
    expect(resumed).toEqual([]);
    other.dispose();
  });

  test('a backup whose state does not fit the callbacks leaves the weights untouched', async () => {
    const backupDir = join(dir, 'backup-callbacks');
    const plateau = () => new ReduceLROnPlateau({ monitor: 'loss' });
    const first = build('adam');
    await first.fit(X, Y, {
      ...FIT,
      epochs: 1,
      callbacks: [new BackupAndRestore({ backupDir, deleteCheckpoint: false }), plateau()],
    });
    first.dispose();
    const again = build('adam');
    const before = await weightsOf(again);
    await expect(
      again.fit(X, Y, { ...FIT, epochs: 2, callbacks: [new BackupAndRestore({ backupDir })] }),
    ).rejects.toThrow(
      'the training state holds the states of [ReduceLROnPlateau], but the callbacks that keep state are []',
    );
    expect(await weightsOf(again)).toEqual(before);
    again.dispose();
  });

  test('deleting the backup removes only what saves wrote, leaving other files and folders', async () => {
    const backupDir = join(dir, 'backup-shared');
    await mkdir(join(backupDir, 'logs'), { recursive: true });
    await writeFile(join(backupDir, 'notes.txt'), 'kept');
    // A temporary file a killed save left behind.
    await writeFile(join(backupDir, '.model.json.0123456789ab.tmp'), '{');
    const model = build('adam');
    await model.fit(X, Y, { ...FIT, epochs: 2, callbacks: [new BackupAndRestore({ backupDir })] });
    model.dispose();
    expect((await readdir(backupDir)).sort()).toEqual(['logs', 'notes.txt']);
  });

  test('without a backup the run starts from epoch 0', async () => {
    const model = build('adam');
    const backup = new BackupAndRestore({ backupDir: join(dir, 'none'), deleteCheckpoint: false });
    const history = await model.fit(X, Y, { ...FIT, epochs: 2, callbacks: [backup] });
    expect(backup.resumedAt).toBeNull();
    expect(history.epoch).toEqual([0, 1]);
    const saved = await loadModel(join(dir, 'none'));
    expect(saved.trainingState).toMatchObject({ epoch: 2 });
    saved.dispose();
    model.dispose();
  });
});
