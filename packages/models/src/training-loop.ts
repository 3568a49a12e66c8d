/**
 * The epochs of fit and fitDataset: callbacks, steps, device-side sums read once per epoch, validation, and
 * the progress a resumed run starts from.
 */
import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { FitProgress } from './callbacks/fit-progress.js';
import { CallbackList, History, ProgressLogger } from './callbacks/index.js';
import type { Model } from './model.js';
import { disposeBatch } from './model-data.js';
import { logNames, RunningSum } from './running-sum.js';
import { applyStep, type Batch, computeStep, trainStep } from './train-step.js';
import type { Callback, Logs } from './types.js';

/** Where an epoch's batches come from: slices of tensors in memory, or a dataset. */
export interface BatchSource {
  /** Batches per epoch, when known. */
  readonly steps: number | null;
  /** Examples per epoch, when known. */
  readonly samples: number | null;
  /** The batches of one epoch; the loop disposes each batch after its step. */
  batches(epoch: number): AsyncIterable<Batch> | Iterable<Batch>;
}

export interface LoopOptions {
  /** How errors name the call: "Sequential 'm'.fit". */
  who: string;
  epochs: number;
  initialEpoch: number;
  batchSize: number;
  verbose: 0 | 1 | 2;
  callbacks: Callback[];
  /** Validation logs after each epoch (without the val_ prefix), or null. */
  validate: (() => Promise<Logs>) | null;
  /** Progress to continue from (a TrainingState), or none. */
  trainingState?: Record<string, unknown> | null | undefined;
}

/** Refuses an initialEpoch given beside a trainingState that starts elsewhere. */
export function checkResumeEpoch(
  who: string,
  initialEpoch: number | undefined,
  trainingState: Record<string, unknown> | null | undefined,
): void {
  const resumeAt = trainingState?.epoch;
  if (trainingState && initialEpoch !== undefined && initialEpoch !== resumeAt) {
    throw new BrickError(
      `${who}: initialEpoch ${initialEpoch} differs from trainingState.epoch ${String(resumeAt)}; give only trainingState`,
      who,
    );
  }
}

/** One step on one batch, keeping the last good weights (and moving statistics) when its loss is not finite. */
async function step(model: Model, batch: Batch, running: RunningSum, readEachBatch: boolean): Promise<number | null> {
  const size = batch.xs[0]?.shape[0] as number;
  if (!readEachBatch) {
    const lossSums = trainStep(model, batch);
    running.add(lossSums, size);
    lossSums.dispose();
    return null;
  }
  // Read the loss before updating, so a NaN batch leaves the last good weights in place; the forward pass
  // updates non-trainable state (BatchNormalization's moving statistics), so that is copied first and put
  // back when the batch is skipped.
  const state = model.stateVariables();
  const saved = state.map((v) => tf.clone(v));
  const { lossSums, grads } = computeStep(model, batch);
  const loss = ((await lossSums.data())[0] as number) / size;
  if (Number.isFinite(loss)) {
    applyStep(model, grads);
    running.add(lossSums, size);
  } else {
    tf.dispose(grads);
    state.forEach((v, i) => {
      v.assign(saved[i] as tf.Tensor);
    });
  }
  tf.dispose([...saved, lossSums]);
  return loss;
}

/** The epochs of fit and fitDataset: callbacks, steps, device-side sums read once per epoch, validation. */
export async function loop(model: Model, source: BatchSource, o: LoopOptions): Promise<History> {
  const history = new History();
  const progress = o.verbose ? new ProgressLogger({ verbose: o.verbose }) : null;
  // Callbacks that save progress run last, so an epoch's snapshot holds what the others made of it.
  const savers = o.callbacks.filter((c) => c.setProgress);
  const others = o.callbacks.filter((c) => !c.setProgress);
  const callbacks = new CallbackList([...(progress ? [progress] : []), ...others, history, ...savers]);
  const run = new FitProgress(o.who, o.callbacks, () => model.layers);
  if (o.trainingState) run.resume(o.trainingState);
  const names = logNames(model);
  callbacks.setModel(model);
  for (const c of savers) c.setProgress?.(run);
  callbacks.setParams({
    epochs: o.epochs,
    initialEpoch: typeof o.trainingState?.epoch === 'number' ? o.trainingState.epoch : o.initialEpoch,
    steps: source.steps,
    samples: source.samples,
    batchSize: o.batchSize,
    verbose: o.verbose,
    metrics: o.validate ? [...names, ...names.map((n) => `val_${n}`)] : names,
  });
  let sum: RunningSum | null = null;
  progress?.setPeek(() => (sum ? sum.logs(model) : Promise.resolve({})));
  const readEachBatch = callbacks.needsBatchLoss;
  model.stopTraining = false;
  let logs: Logs = {};
  await callbacks.onTrainBegin();
  let epoch = run.restore() ?? o.initialEpoch;
  for (; epoch < o.epochs && !model.stopTraining; epoch++) {
    await callbacks.onEpochBegin(epoch);
    for (const m of model.metrics) m.reset();
    const running = new RunningSum();
    sum = running;
    try {
      let index = 0;
      for await (const batch of source.batches(epoch)) {
        try {
          const batchLogs: Logs = { batch: index, size: batch.xs[0]?.shape[0] as number };
          await callbacks.onBatchBegin(index, batchLogs);
          const loss = await step(model, batch, running, readEachBatch);
          if (loss !== null) batchLogs.loss = loss;
          await callbacks.onBatchEnd(index, batchLogs);
        } finally {
          disposeBatch(batch);
        }
        index++;
        if (model.stopTraining || (source.steps !== null && index >= source.steps)) break;
      }
      if (running.samples === 0 && index === 0) {
        throw new BrickError(
          `${o.who}: epoch ${epoch + 1} has no batches; a generator runs once, so pass a function that returns a fresh one each epoch`,
          o.who,
        );
      }
      logs = await running.logs(model);
    } finally {
      sum = null;
      running.dispose();
    }
    if (o.validate) {
      const valLogs = await o.validate();
      for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
    }
    await callbacks.onEpochEnd(epoch, logs);
  }
  const state = run.snapshot(epoch);
  await callbacks.onTrainEnd(logs);
  // Weights put back at the end (EarlyStopping's best) would not match the last epoch's optimizer and generators.
  history.trainingState = o.callbacks.some((c) => c.restoredWeights === true) ? null : state;
  return history;
}
