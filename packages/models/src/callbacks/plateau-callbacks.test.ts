import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test, vi } from 'vitest';
import type { Callback, Logs, TrainingModel } from '../types.js';
import { CallbackList } from './callback-list.js';
import { EarlyStopping } from './early-stopping.js';
import { LambdaCallback } from './lambda-callback.js';
import { LearningRateScheduler } from './learning-rate-scheduler.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { TerminateOnNaN } from './terminate-on-nan.js';

/** A TrainingModel whose one weight is a number we can read, with a settable learning rate. */
class FakeModel implements TrainingModel {
  stopTraining = false;
  lr = 0.1;
  weight = tf.variable(tf.scalar(0));
  readonly optimizer = {
    currentLearningRate: () => this.lr,
    setLearningRate: (lr: number) => {
      this.lr = lr;
    },
  };
  getWeights(): tf.Tensor[] {
    return [tf.clone(this.weight)];
  }
  setWeights(weights: tf.Tensor[]): void {
    this.weight.assign(weights[0] as tf.Scalar);
  }
  async weightValue(): Promise<number> {
    return (await this.weight.data())[0] as number;
  }
}

/** Drives fit's epoch loop with scripted logs; each epoch sets the weight to its index. Returns epochs run. */
async function run(cb: Callback, model: FakeModel, script: Logs[]): Promise<number> {
  const list = new CallbackList([cb]);
  list.setModel(model);
  await list.onTrainBegin();
  let epoch = 0;
  for (; epoch < script.length && !model.stopTraining; epoch++) {
    await list.onEpochBegin(epoch);
    tf.tidy(() => model.weight.assign(tf.scalar(epoch)));
    await list.onEpochEnd(epoch, { ...(script[epoch] as Logs) });
  }
  await list.onTrainEnd();
  return epoch;
}

const losses = (...v: number[]) => v.map((val_loss) => ({ loss: val_loss, val_loss }));

describe('EarlyStopping', () => {
  test('stops after patience epochs without improvement', async () => {
    const model = new FakeModel();
    const es = new EarlyStopping({ patience: 2 });
    expect(await run(es, model, losses(1, 0.8, 0.9, 0.85, 0.7, 0.6))).toBe(4);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.best).toBe(0.8);
    expect(es.bestEpoch).toBe(1);
  });

  test('patience 0 stops at the first epoch that does not improve', async () => {
    const model = new FakeModel();
    expect(await run(new EarlyStopping(), model, losses(1, 0.9, 0.95, 0.5))).toBe(3);
  });

  test('minDelta requires improvements larger than it', async () => {
    const model = new FakeModel();
    expect(await run(new EarlyStopping({ minDelta: 0.1 }), model, losses(1, 0.95, 0.5))).toBe(2);
  });

  test("mode 'max' and 'auto' on accuracy watch for increases", async () => {
    const script = [0.5, 0.6, 0.55, 0.7].map((val_accuracy) => ({ val_accuracy }));
    for (const mode of ['max', 'auto'] as const) {
      expect(await run(new EarlyStopping({ monitor: 'val_accuracy', mode }), new FakeModel(), script)).toBe(3);
    }
  });

  test('improvements that do not beat the baseline do not reset patience', async () => {
    const script = losses(1, 0.9, 0.95, 0.6, 0.55);
    expect(await run(new EarlyStopping({ baseline: 0.5, patience: 2 }), new FakeModel(), script)).toBe(3);
    expect(await run(new EarlyStopping({ patience: 2 }), new FakeModel(), script)).toBe(5);
  });

  test('restoreBestWeights puts back the best epoch and disposes what it held', async () => {
    const model = new FakeModel();
    const before = tf.memory().numTensors;
    await run(new EarlyStopping({ patience: 1, restoreBestWeights: true }), model, losses(1, 0.5, 0.7, 0.9, 0.2));
    expect(await model.weightValue()).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('cannot guess the direction of an unknown monitor', () => {
    expect(() => new EarlyStopping({ monitor: 'val_fancy' })).toThrow(
      "EarlyStopping: cannot tell whether monitor 'val_fancy' should go up or down; pass mode: 'min' or mode: 'max'",
    );
    expect(() => new EarlyStopping({ patience: -1 })).toThrowError(BrickError);
  });

  test('warns once and keeps training when the monitor is missing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await run(new EarlyStopping(), new FakeModel(), [{ loss: 1 }, { loss: 2 }, { loss: 3 }])).toBe(3);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});

describe('ReduceLROnPlateau', () => {
  test('multiplies the learning rate by factor after patience epochs and logs it', async () => {
    const model = new FakeModel();
    const cb = new ReduceLROnPlateau({ patience: 2, factor: 0.5 });
    const seen: number[] = [];
    const list = new CallbackList([
      cb,
      { onEpochEnd: (_e: number, logs: Logs) => void seen.push(logs.learning_rate as number) },
    ]);
    list.setModel(model);
    await list.onTrainBegin();
    const script = [1, 0.9, 0.9, 0.9, 0.95, 0.95, 0.5];
    for (const [epoch, val_loss] of script.entries()) await list.onEpochEnd(epoch, { val_loss });
    expect(seen).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  test('improvements must exceed minDelta', async () => {
    const model = new FakeModel();
    await run(new ReduceLROnPlateau({ patience: 1, minDelta: 0.1 }), model, losses(1, 0.95));
    expect(model.lr).toBeCloseTo(0.01, 10);
  });

  test('cooldown pauses counting after a reduction, and minLr is a floor', async () => {
    const model = new FakeModel();
    const cb = new ReduceLROnPlateau({ patience: 1, cooldown: 2, minLr: 0.002 });
    const rates: number[] = [];
    const list = new CallbackList([cb]);
    list.setModel(model);
    await list.onTrainBegin();
    for (let epoch = 0; epoch < 8; epoch++) {
      await list.onEpochEnd(epoch, { val_loss: 1 });
      rates.push(model.lr);
    }
    // reduce at 1, cool down 2 and 3 (3 counts again: Keras decrements before checking), reduce at 3, floor at 5.
    expect(rates.map((r) => Number(r.toPrecision(6)))).toEqual([0.1, 0.01, 0.01, 0.002, 0.002, 0.002, 0.002, 0.002]);
  });

  test("mode 'max' waits for increases", async () => {
    const model = new FakeModel();
    await run(
      new ReduceLROnPlateau({ monitor: 'val_auc', patience: 1 }),
      model,
      [0.5, 0.6, 0.7].map((val_auc) => ({ val_auc })),
    );
    expect(model.lr).toBe(0.1);
  });

  test('rejects a factor of 1 or more', () => {
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow('ReduceLROnPlateau: factor must be below 1, received 1');
  });
});

describe('LearningRateScheduler', () => {
  test('sets the rate from (epoch, lr) at each epoch begin and logs it', async () => {
    const model = new FakeModel();
    const calls: [number, number][] = [];
    const cb = new LearningRateScheduler((epoch, lr) => {
      calls.push([epoch, lr]);
      return epoch < 2 ? lr : lr / 2;
    });
    const logged: number[] = [];
    const list = new CallbackList([
      cb,
      { onEpochEnd: (_e: number, l: Logs) => void logged.push(l.learning_rate as number) },
    ]);
    list.setModel(model);
    for (let epoch = 0; epoch < 4; epoch++) {
      await list.onEpochBegin(epoch);
      await list.onEpochEnd(epoch, { loss: 1 });
    }
    expect(calls).toEqual([
      [0, 0.1],
      [1, 0.1],
      [2, 0.1],
      [3, 0.05],
    ]);
    expect(logged).toEqual([0.1, 0.1, 0.05, 0.025]);
  });

  test('rejects a schedule returning something other than a finite rate', async () => {
    const cb = new LearningRateScheduler(() => Number.NaN);
    cb.setModel(new FakeModel());
    await expect(cb.onEpochBegin(3)).rejects.toThrow(
      'LearningRateScheduler: the schedule must return a finite non-negative number, received NaN at epoch 3',
    );
  });
});

describe('TerminateOnNaN', () => {
  test('stops training on a NaN or infinite batch loss and says where', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const lines: string[] = [];
      const model = new FakeModel();
      const cb = new TerminateOnNaN((l) => lines.push(l));
      expect(cb.needsBatchLoss).toBe(true);
      cb.setModel(model);
      cb.onEpochBegin(2);
      cb.onBatchEnd(0, { batch: 0, size: 32, loss: 0.7 });
      expect(model.stopTraining).toBe(false);
      cb.onBatchEnd(4, { batch: 4, size: 32, loss: bad });
      expect(model.stopTraining).toBe(true);
      expect(lines).toEqual(['Batch 5 of epoch 3: invalid loss, terminating training']);
    }
  });
});

describe('CallbackList and LambdaCallback', () => {
  test('calls every hook in order and awaits each promise before the next callback', async () => {
    const order: string[] = [];
    const slow = new LambdaCallback({
      onEpochEnd: async (epoch) => {
        await new Promise((r) => setTimeout(r, 10));
        order.push(`slow ${epoch}`);
      },
    });
    const plain: Callback = { onEpochEnd: (epoch) => void order.push(`plain ${epoch}`) };
    const list = new CallbackList([slow, plain]);
    await list.onEpochEnd(0, {});
    await list.onEpochEnd(1, {});
    expect(order).toEqual(['slow 0', 'plain 0', 'slow 1', 'plain 1']);
  });

  test('needsBatchLoss is true when any callback asks for it', () => {
    expect(new CallbackList([new LambdaCallback({})]).needsBatchLoss).toBe(false);
    expect(new CallbackList([{}, new TerminateOnNaN()]).needsBatchLoss).toBe(true);
  });
});
