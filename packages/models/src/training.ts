/**
 * fit, evaluate, predict and trainOnBatch for any model (they run it through its executor). x and y are
 * one tensor per input and output, given as a list or a record by name. Per-batch numbers stay on the
 * device (running loss sums, metric accumulators); they are read once per epoch, with one Promise.all.
 */
import { assertBatchShape, BrickError, formatShape, parseConfig, positiveInt, rng, type Shape } from '@brickml/core';
import { checkTargets, type TargetKind, validateLabels } from '@brickml/losses';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { FitProgress } from './callbacks/fit-progress.js';
import { CallbackList, History, ProgressLogger } from './callbacks/index.js';
import {
  checkFinite,
  checkXY,
  classWeights,
  type DataLike,
  maxBatchFor,
  Owned,
  rows,
  toSampleWeight,
  toTargets,
  toTensor,
} from './data.js';
import type { Model } from './model.js';
import { EvaluateOptions, FitOptions } from './options.js';
import { applyStep, type Batch, computeStep, evalStep, predictStep, trainStep } from './train-step.js';
import type { Callback, Logs } from './types.js';

/** x or y for a model: one DataLike, a list (one per input or output, in order) or a record by name. */
export type ModelData = DataLike | DataLike[] | Record<string, DataLike>;

interface Prepared extends Batch {
  samples: number;
}

const isRecord = (d: unknown): d is Record<string, DataLike> =>
  typeof d === 'object' && d !== null && !Array.isArray(d) && !ArrayBuffer.isView(d) && !(d instanceof tf.Tensor);

/** One DataLike per name: a single model input or output takes the data as it is. */
function split(who: string, what: 'x' | 'y', data: ModelData, names: readonly string[]): DataLike[] {
  const role = what === 'x' ? 'input' : 'output';
  const list = names.map((n) => `'${n}'`).join(', ');
  if (isRecord(data)) {
    for (const key of Object.keys(data)) {
      if (!names.includes(key))
        throw new BrickError(`${who}: ${what} names ${role} '${key}', but the ${role}s are ${list}`, who);
    }
    return names.map((n) => {
      const d = data[n];
      if (d === undefined) throw new BrickError(`${who}: ${what} has no data for ${role} '${n}'`, who);
      return d;
    });
  }
  if (names.length === 1) return [data as DataLike];
  if (!Array.isArray(data) || data.length !== names.length) {
    const got = Array.isArray(data) ? `a list of ${data.length}` : 'one tensor';
    throw new BrickError(
      `${who}: the model has ${names.length} ${role}s (${list}); give ${what} as a list of ${names.length} or a record by name, received ${got}`,
      who,
    );
  }
  return data as DataLike[];
}

/** 'x' for a single input, "x['image']" for one of several. */
const label = (what: string, names: readonly string[], i: number) =>
  names.length === 1 ? what : `${what}['${names[i]}']`;

/** The model's inputs for `xData`, converted and checked; builds a Sequential that has no input shape yet. */
function toInputs(model: Model, who: string, xData: ModelData, owned: Owned): tf.Tensor[] {
  if (model.layers.length === 0) throw new BrickError(`${who}: the model has no layers; add() some first`, who);
  const names = model.inputNames;
  const known = model.inputShapes;
  const xs = split(who, 'x', xData, names).map((d, i) =>
    toTensor(who, label('x', names, i), d, known?.[i] ?? null, owned),
  );
  const empty = xs.findIndex((x) => x.rank === 0 || x.shape[0] === 0);
  if (empty >= 0) {
    throw new BrickError(
      `${who}: ${label('x', names, empty)} holds no samples (shape ${formatShape(xs[empty]?.shape ?? [])}); give at least one`,
      who,
    );
  }
  model.ensureBuilt(xs.map((x) => x.shape.slice(1)));
  const shapes = model.inputShapes as Shape[];
  xs.forEach((x, i) => {
    assertBatchShape(who, label('x', names, i), shapes[i] as Shape, x.shape);
  });
  const samples = xs[0]?.shape[0];
  xs.forEach((x, i) => {
    if (x.shape[0] !== samples) {
      throw new BrickError(
        `${who}: every input must hold the same number of samples, received ${label('x', names, 0)} ${formatShape(xs[0]?.shape ?? [])} and ${label('x', names, i)} ${formatShape(x.shape)}`,
        who,
      );
    }
  });
  return xs;
}

/** Converts and checks (x, y): counts, shapes, label kinds; no read, so no NaN check (see prepare). */
export function convert(
  model: Model,
  who: string,
  xData: ModelData,
  yData: ModelData,
  owned: Owned,
  weights: { sampleWeight?: DataLike | undefined } = {},
): Prepared {
  const xs = toInputs(model, who, xData, owned);
  const samples = xs[0]?.shape[0] as number;
  const names = model.outputNames;
  const shapes = model.outputShapes;
  const outputs = model.compiledOutputs;
  const ys = split(who, 'y', yData, names).map((d, k) => {
    const y = toTargets(who, d, samples, shapes[k] as Shape, owned);
    checkXY(who, xs[0] as tf.Tensor, y, model.inputShapes?.[0] as Shape, label('y', names, k));
    const loss = outputs[k]?.loss as { className: string; targets?: TargetKind; axis?: number };
    const where = names.length === 1 ? `${who}: ${loss.className}` : `${who}: output '${names[k]}' ${loss.className}`;
    // A free axis (a sequence's time) takes the labels' size: the check is about the other axes.
    const predicted = [samples, ...(shapes[k] as Shape).map((d, i) => d ?? (y.shape[i + 1] as number))];
    if (loss.targets) checkTargets(where, loss.targets, y.shape, predicted, loss.axis);
    return y;
  });
  const sampleWeight =
    weights.sampleWeight === undefined ? undefined : toSampleWeight(who, weights.sampleWeight, samples, owned);
  return { xs, ys, sampleWeight, samples };
}

/** Converts and checks (x, y) before any step: counts, shapes, label kinds, NaN and infinities (one read). */
async function prepare(
  model: Model,
  who: string,
  xData: ModelData,
  yData: ModelData,
  owned: Owned,
  weights: { sampleWeight?: DataLike | undefined } = {},
): Promise<Prepared> {
  const data = convert(model, who, xData, yData, owned, weights);
  const { xs, ys } = data;
  const names = model.outputNames;
  const named: Record<string, tf.Tensor> = {};
  xs.forEach((x, i) => {
    named[label('x', model.inputNames, i)] = x;
  });
  ys.forEach((y, k) => {
    named[label('y', names, k)] = y;
  });
  await checkFinite(who, named);
  // Sparse labels outside [0, classes) would train as all-zero one-hot rows: one read refuses them by name.
  await Promise.all(
    model.compiledOutputs.map(({ loss }, k) =>
      validateLabels(
        loss,
        ys[k] as tf.Tensor,
        (ys[k] as tf.Tensor).shape.map((d, i) => (i === 0 ? d : ((model.outputShapes[k] as Shape)[i - 1] ?? d))),
        names.length === 1 ? `${who}: ${loss.className}` : `${who}: output '${names[k]}' ${loss.className}`,
      ),
    ),
  );
  return data;
}

function slice(data: Batch, start: number, end: number, order: Int32Array | null): Batch {
  return {
    xs: data.xs.map((x) => rows(x, start, end, order)),
    ys: data.ys.map((y) => rows(y, start, end, order)),
    sampleWeight: data.sampleWeight && (rows(data.sampleWeight, start, end, order) as tf.Tensor1D),
  };
}

const disposeBatch = (b: Batch) => tf.dispose([...b.xs, ...b.ys, ...(b.sampleWeight ? [b.sampleWeight] : [])]);

/** The names logged for a model: 'loss', each output's '<name>_loss' when there are several, then the metrics. */
function logNames(model: Model): string[] {
  const outputs = model.outputNames;
  const several = outputs.length > 1;
  return [
    'loss',
    ...(several ? outputs.map((o) => `${o}_loss`) : []),
    ...model.outputMetrics.flatMap((ms, k) => ms.map((m) => (several ? `${outputs[k]}_${m.name}` : m.name))),
  ];
}

/** The loss sums of an epoch ([total, per output…]), kept in one device variable. */
class RunningSum {
  private total: tf.Variable | null = null;
  samples = 0;
  add(batchSums: tf.Tensor1D, size: number): void {
    if (!this.total) this.total = tf.tidy(() => tf.variable(tf.zerosLike(batchSums), false));
    const total = this.total;
    tf.tidy(() => total.assign(tf.add(total, batchSums)));
    this.samples += size;
  }
  /** Reads the mean losses and the metrics so far, all at once. */
  async logs(model: Model): Promise<Logs> {
    const samples = this.samples;
    const names = logNames(model);
    // A clone keeps this value alive even if the next batch assigns the variable before the read ends.
    const snapshot = this.total ? tf.clone(this.total) : tf.zeros([1]);
    const metrics = model.metrics;
    const [totals, ...values] = await Promise.all([snapshot.data(), ...metrics.map((m) => m.result())]);
    snapshot.dispose();
    const logs: Logs = {};
    const losses = Math.min(totals.length, names.length - metrics.length);
    for (let k = 0; k < losses; k++) logs[names[k] as string] = (totals[k] as number) / samples;
    metrics.forEach((_, i) => {
      logs[names[losses + i] as string] = values[i] as number;
    });
    return logs;
  }
  dispose(): void {
    this.total?.dispose();
  }
}

function batchSizeFor(model: Model, batchSize: number): number {
  return Math.min(batchSize, maxBatchFor(model.activationShapes()));
}

async function evaluateBatches(model: Model, data: Prepared, batchSize: number): Promise<Logs> {
  const size = batchSizeFor(model, batchSize);
  function* slices() {
    for (let start = 0; start < data.samples; start += size)
      yield slice(data, start, Math.min(start + size, data.samples), null);
  }
  return evaluateSource(model, slices());
}

/** Loss and metrics over every batch of `batches` in inference mode; disposes each batch after use. */
export async function evaluateSource(model: Model, batches: Iterable<Batch> | AsyncIterable<Batch>): Promise<Logs> {
  for (const m of model.metrics) m.reset();
  const sum = new RunningSum();
  try {
    for await (const batch of batches) {
      try {
        const losses = evalStep(model, batch);
        sum.add(losses, batch.xs[0]?.shape[0] as number);
        losses.dispose();
      } finally {
        disposeBatch(batch);
      }
    }
    if (sum.samples === 0) throw new BrickError(`${model.label}.evaluate: the data held no batch`, model.label);
    return await sum.logs(model);
  } finally {
    sum.dispose();
  }
}

/** Trains `model` for `epochs` passes over (x, y) and resolves to the History callback. */
export async function fit(
  model: Model,
  xData: ModelData,
  yData: ModelData,
  options: FitOptions = {},
): Promise<History> {
  const who = `${model.label}.fit`;
  model.requireCompiled('fit');
  const o = parseConfig(who, FitOptions, options);
  checkResumeEpoch(who, options.initialEpoch, o.trainingState);
  const release = model.hold(who, 'fit');
  const owned = new Owned();
  try {
    const largest = batchSizeFor(model, o.batchSize);
    if (largest < o.batchSize) {
      throw new BrickError(
        `${who}: batchSize ${o.batchSize} needs buffers larger than this backend binds; use at most ${largest}`,
        who,
      );
    }
    // Class weights apply to the training part only, as in Keras: split first.
    const all = await prepare(model, who, xData, yData, owned, { sampleWeight: o.sampleWeight });
    let train: Prepared = all;
    let val: Prepared | null = null;
    if (o.validationData) {
      const [vx, vy, vw] = o.validationData as [ModelData, ModelData, DataLike?];
      val = await prepare(model, `${who} validationData`, vx, vy, owned, { sampleWeight: vw });
    } else if (o.validationSplit > 0) {
      const at = Math.floor(all.samples * (1 - o.validationSplit));
      if (at === 0 || at === all.samples) {
        throw new BrickError(
          `${who}: validationSplit ${o.validationSplit} of ${all.samples} samples leaves an empty training or validation set`,
          who,
        );
      }
      const part = (start: number, end: number): Prepared => ({
        ...slice(all, start, end, null),
        samples: end - start,
      });
      train = part(0, at);
      val = part(at, all.samples);
      for (const b of [train, val]) disposeAfter(owned, b);
    }
    if (o.classWeight) {
      if (train.ys.length > 1) {
        throw new BrickError(`${who}: classWeight needs a model of one output; give sampleWeight instead`, who);
      }
      const cw = owned.own(classWeights(who, o.classWeight, train.ys[0] as tf.Tensor));
      const weighted = train.sampleWeight ? (owned.own(tf.mul(train.sampleWeight, cw)) as tf.Tensor1D) : cw;
      train = { ...train, sampleWeight: weighted };
    }
    const validation = val;
    return await loop(model, memorySource(train, o.batchSize, o.shuffle), {
      ...o,
      who,
      validate: validation ? () => evaluateBatches(model, validation, o.batchSize) : null,
    });
  } finally {
    owned.dispose();
    release();
  }
}

function disposeAfter(owned: Owned, b: Batch): void {
  for (const t of [...b.xs, ...b.ys]) owned.own(t);
  if (b.sampleWeight) owned.own(b.sampleWeight);
}

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

/** An epoch's slices of tensors in memory, reshuffled each epoch when asked. */
function memorySource(train: Prepared, batchSize: number, shuffle: boolean): BatchSource {
  const steps = Math.ceil(train.samples / batchSize);
  return {
    steps,
    samples: train.samples,
    *batches() {
      const order = shuffle ? rng().permutation(train.samples) : null;
      for (let step = 0; step < steps; step++) {
        const start = step * batchSize;
        yield slice(train, start, Math.min(start + batchSize, train.samples), order);
      }
    },
  };
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

/** Loss and metrics over (x, y) in inference mode. */
export async function evaluate(
  model: Model,
  xData: ModelData,
  yData: ModelData,
  options: EvaluateOptions = {},
): Promise<Logs> {
  const who = `${model.label}.evaluate`;
  model.requireCompiled('evaluate');
  const o = parseConfig(who, EvaluateOptions, options);
  const release = model.hold(who, 'evaluate');
  const owned = new Owned();
  try {
    const data = await prepare(model, who, xData, yData, owned, o);
    const logs = await evaluateBatches(model, data, o.batchSize);
    if (o.verbose)
      console.log(
        Object.entries(logs)
          .map(([k, v]) => `${k}: ${v.toPrecision(4)}`)
          .join(' - '),
      );
    return logs;
  } finally {
    owned.dispose();
    release();
  }
}

/** The model's outputs for x, one tensor per output, in batches small enough for one GPU buffer binding. */
export function predict(model: Model, xData: ModelData, options: { batchSize?: number } = {}): tf.Tensor[] {
  const who = `${model.label}.predict`;
  const { batchSize } = parseConfig(who, z.strictObject({ batchSize: positiveInt().default(32) }), options);
  const owned = new Owned();
  try {
    const xs = toInputs(model, who, xData, owned);
    const samples = xs[0]?.shape[0] as number;
    const size = batchSizeFor(model, batchSize);
    if (samples <= size) return predictStep(model, xs);
    const parts: tf.Tensor[][] = [];
    for (let start = 0; start < samples; start += size) {
      const batch = xs.map((x) => rows(x, start, Math.min(start + size, samples), null));
      parts.push(predictStep(model, batch));
      tf.dispose(batch);
    }
    const outs = model.outputNames.map((_, k) =>
      tf.concat(
        parts.map((p) => p[k] as tf.Tensor),
        0,
      ),
    );
    tf.dispose(parts.flat());
    return outs;
  } finally {
    owned.dispose();
  }
}

/** One training step on (x, y) as one batch; resolves to its loss and metrics. */
export async function trainOnBatch(model: Model, xData: ModelData, yData: ModelData): Promise<Logs> {
  const who = `${model.label}.trainOnBatch`;
  model.requireCompiled('trainOnBatch');
  const release = model.hold(who, 'trainOnBatch');
  const owned = new Owned();
  const sum = new RunningSum();
  try {
    const data = await prepare(model, who, xData, yData, owned);
    for (const m of model.metrics) m.reset();
    const losses = trainStep(model, data);
    sum.add(losses, data.samples);
    losses.dispose();
    return await sum.logs(model);
  } finally {
    sum.dispose();
    owned.dispose();
    release();
  }
}
