import { setSeed } from '@brickml/core';
import { Dense } from '@brickml/layers';
import { expectNoLeak } from '@brickml/test-utils';
import { describe, expect, test } from 'vitest';
import { Sequential } from '../sequential.js';
import type { Callback, CallbackState, Logs, TrainingModel } from '../types.js';
import { CallbackList } from './callback-list.js';
import { EarlyStopping } from './early-stopping.js';
import { LambdaCallback } from './lambda-callback.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';

/** A TrainingModel with a settable learning rate and no weights worth keeping. */
function fakeModel(): TrainingModel & { lr: number } {
  const model = {
    stopTraining: false,
    lr: 0.1,
    optimizer: {
      currentLearningRate: () => model.lr,
      setLearningRate: (lr: number) => {
        model.lr = lr;
      },
    },
    getWeights: () => [],
    setWeights: () => {},
  };
  return model;
}

/**
 * Runs epochs [from, to) of a scripted monitor through a callback, as fit would (onTrainBegin, then the
 * state of a resume, then the epochs); returns each epoch's logs and whether training stopped.
 */
async function drive(
  cb: Callback,
  model: TrainingModel,
  losses: number[],
  from: number,
  to: number,
  state?: CallbackState,
) {
  const list = new CallbackList([cb]);
  list.setModel(model);
  await list.onTrainBegin();
  if (state) cb.setState?.(JSON.parse(JSON.stringify(state)));
  const logs: Logs[] = [];
  for (let epoch = from; epoch < to && !model.stopTraining; epoch++) {
    const l: Logs = { loss: losses[epoch] as number };
    await list.onEpochEnd(epoch, l);
    logs.push(l);
  }
  return { logs, stopped: model.stopTraining };
}

/** The straight run of `make()` over every epoch, against a run split at `at` and resumed from its state. */
async function splitMatches(make: () => Callback, losses: number[], at: number) {
  const straightModel = fakeModel();
  const straight = await drive(make(), straightModel, losses, 0, losses.length);
  const firstModel = fakeModel();
  const first = make();
  const head = await drive(first, firstModel, losses, 0, at);
  const state = first.getState?.() as CallbackState;
  const secondModel = fakeModel();
  secondModel.lr = firstModel.lr; // the optimizer's rate travels with the saved model
  const tail = await drive(make(), secondModel, losses, at, losses.length, state);
  return { straight, resumed: { logs: [...head.logs, ...tail.logs], stopped: tail.stopped } };
}

const LOSSES = [1, 0.9, 0.95, 0.93, 0.94, 0.8, 0.85, 0.86, 0.87, 0.88];

describe('callback state across a resume', () => {
  test.each([1, 3, 4, 6])('ReduceLROnPlateau split after epoch %i continues like the straight run', async (at) => {
    const make = () => new ReduceLROnPlateau({ monitor: 'loss', patience: 1, cooldown: 1, factor: 0.5 });
    const { straight, resumed } = await splitMatches(make, LOSSES, at);
    expect(resumed).toEqual(straight);
  });

  test.each([1, 2, 3])('EarlyStopping split after epoch %i stops where the straight run stops', async (at) => {
    const make = () => new EarlyStopping({ monitor: 'loss', patience: 3 });
    const { straight, resumed } = await splitMatches(make, LOSSES, at);
    expect(straight.stopped).toBe(true);
    expect(resumed).toEqual(straight);
  });

  test('ReduceLROnPlateau puts back the rate it set on the optimizer', () => {
    const cb = new ReduceLROnPlateau({ monitor: 'loss' });
    const model = fakeModel();
    cb.setModel(model);
    cb.setState({ className: 'ReduceLROnPlateau', best: 0.5, wait: 1, cooldownCounter: 0, learningRate: 0.025 });
    expect(model.lr).toBe(0.025);
    expect(cb.getState()).toEqual({
      className: 'ReduceLROnPlateau',
      best: 0.5,
      wait: 1,
      cooldownCounter: 0,
      learningRate: 0.025,
    });
  });

  test.each([
    [
      () => new ReduceLROnPlateau({ monitor: 'loss' }),
      { className: 'ReduceLROnPlateau', best: 1, wait: -1, cooldownCounter: 0, learningRate: null },
      /^ReduceLROnPlateau\.setState: wait .*received -1$/,
    ],
    [
      () => new ReduceLROnPlateau({ monitor: 'loss' }),
      { className: 'EarlyStopping', best: 1, bestEpoch: 0, wait: 0, stoppedEpoch: 0 },
      /^ReduceLROnPlateau\.setState: className /,
    ],
    [
      () => new EarlyStopping(),
      { className: 'EarlyStopping', best: 1, bestEpoch: 0, wait: 0 },
      /^EarlyStopping\.setState: stoppedEpoch .*received nothing$/,
    ],
  ])('setState refuses a malformed state by name (%#)', (make, state, message) => {
    expect(() => make().setState?.(state as CallbackState)).toThrow(message);
  });
});

describe("fit's trainingState option", () => {
  const x = [
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const y = [[0], [1], [1]];
  const model = () => {
    setSeed(2);
    const m = new Sequential({ inputShape: [2], layers: [new Dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return m;
  };
  const state = (over: Record<string, unknown> = {}) => ({
    epoch: 1,
    rng: { s: 5, spare: null },
    callbacks: [],
    ...over,
  });

  test('starts at its epoch', async () => {
    const m = model();
    const history = await m.fit(x, y, { epochs: 3, verbose: 0, trainingState: state() });
    expect(history.epoch).toEqual([1, 2]);
    expect(history.trainingState?.epoch).toBe(3);
    m.dispose();
  });

  test('null starts afresh', async () => {
    const m = model();
    expect((await m.fit(x, y, { epochs: 2, verbose: 0, trainingState: null })).epoch).toEqual([0, 1]);
    m.dispose();
  });

  test('a state of other callbacks is a named error', async () => {
    const m = model();
    const held = state({
      callbacks: [{ className: 'EarlyStopping', best: 1, bestEpoch: 0, wait: 0, stoppedEpoch: 0 }],
    });
    await expect(
      m.fit(x, y, {
        epochs: 3,
        verbose: 0,
        trainingState: held,
        callbacks: [new ReduceLROnPlateau({ monitor: 'loss' })],
      }),
    ).rejects.toThrow(
      '.fit: the training state holds the states of [EarlyStopping], but the callbacks that keep state are [ReduceLROnPlateau]; pass the same callbacks, in the same order, as the run that saved it',
    );
    m.dispose();
  });

  test.each([
    [{ epoch: -1 }, /\.fit: trainingState\.epoch must be a non-negative integer, received -1$/],
    [{ rng: { s: 1 } }, /\.fit: trainingState\.rng\.spare .*received nothing$/],
    [{ callbacks: [{}] }, /\.fit: trainingState\.callbacks\[0\]\.className .*received nothing$/],
  ])('a malformed state %j is a named error', async (over, message) => {
    const m = model();
    await expect(m.fit(x, y, { epochs: 3, verbose: 0, trainingState: state(over) })).rejects.toThrow(message);
    m.dispose();
  });

  test("generators the model's bricks do not hold are a named error", async () => {
    const m = model();
    const held = state({ streams: { 'drop/stream': { s: 1, spare: null } } });
    await expect(m.fit(x, y, { epochs: 3, verbose: 0, trainingState: held })).rejects.toThrow(
      /\.fit: the training state holds the generators of \[drop\/stream\], but the model's bricks hold \[\]$/,
    );
    m.dispose();
  });

  test('an initialEpoch that differs from the state is a named error', async () => {
    const m = model();
    await expect(m.fit(x, y, { epochs: 3, verbose: 0, initialEpoch: 2, trainingState: state() })).rejects.toThrow(
      /\.fit: initialEpoch 2 differs from trainingState\.epoch 1; give only trainingState$/,
    );
    m.dispose();
  });

  test('leaves no tensor behind', async () => {
    const m = model();
    await expectNoLeak(() => m.fit(x, y, { epochs: 3, verbose: 0, trainingState: state() }));
    m.dispose();
  });
});

describe("History's trainingState beside EarlyStopping's restoreBestWeights", () => {
  const x = [
    [0, 1],
    [1, 0],
    [1, 1],
  ];
  const y = [[0], [1], [1]];
  /** A fit whose monitor `score` takes the given values, one per epoch. */
  async function fitScored(scores: number[]) {
    setSeed(2);
    const m = new Sequential({ inputShape: [2], layers: [new Dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const script = new LambdaCallback({
      onEpochEnd: (epoch, logs) => {
        logs.score = scores[epoch] as number;
      },
    });
    const early = new EarlyStopping({ monitor: 'score', mode: 'min', patience: 10, restoreBestWeights: true });
    const history = await m.fit(x, y, { epochs: scores.length, verbose: 0, callbacks: [script, early] });
    m.dispose();
    return { history, early };
  }

  test("is null when the weights put back are an earlier epoch's", async () => {
    const { history, early } = await fitScored([0.5, 0.3, 0.6, 0.7]);
    expect(early.restoredWeights).toBe(true);
    expect(history.trainingState).toBeNull();
  });

  test('is kept when the best epoch was the last', async () => {
    const { history, early } = await fitScored([0.5, 0.4, 0.3]);
    expect(early.restoredWeights).toBe(false);
    expect(history.trainingState?.epoch).toBe(3);
  });
});
