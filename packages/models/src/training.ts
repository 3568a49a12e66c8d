/**
 * fit, evaluate, predict and trainOnBatch for a stack of bricks. Per-batch numbers stay on the device
 * (a running loss sum, metric accumulators); they are read once per epoch, with one Promise.all.
 */
import { assertBatchShape, BrickError, parseConfig, positiveInt, rng, type Shape } from '@brickml/core';
import type { Layer } from '@brickml/layers';
import { checkTargets, type TargetKind } from '@brickml/losses';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
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
import { EvaluateOptions, FitOptions } from './options.js';
import { applyStep, type Batch, computeStep, evalStep, predictStep, type StepModel, trainStep } from './train-step.js';
import type { Logs, TrainingModel } from './types.js';

/** What the loops need from a model (Sequential provides it). */
export interface Trainable extends StepModel, Omit<TrainingModel, 'optimizer'> {
  readonly label: string;
  readonly layers: Layer[];
  readonly inputShape: Shape | null;
  readonly outputShape: Shape;
  build(inputShape: Shape): Shape;
  requireCompiled(who: string): void;
}

interface Prepared extends Batch {
  samples: number;
}

/** Converts and checks (x, y) before any step: counts, shapes, label kinds, NaN (one read). */
async function prepare(
  model: Trainable,
  who: string,
  xData: DataLike,
  yData: DataLike,
  owned: Owned,
  weights: { sampleWeight?: DataLike | undefined } = {},
): Promise<Prepared> {
  if (model.layers.length === 0) throw new BrickError(`${who}: the model has no layers; add() some first`, who);
  const x = toTensor(who, 'x', xData, model.inputShape, owned);
  if (!model.inputShape || !model.layers.every((l) => l.built)) model.build(model.inputShape ?? x.shape.slice(1));
  const inputShape = model.inputShape as Shape;
  const samples = x.shape[0] as number;
  const y = toTargets(who, yData, samples, model.outputShape, owned);
  checkXY(who, x, y, inputShape);
  const { targets, axis } = model.loss as { targets?: TargetKind; axis?: number };
  if (targets) checkTargets(`${who}: ${model.loss.className}`, targets, y.shape, [samples, ...model.outputShape], axis);
  const sampleWeight =
    weights.sampleWeight === undefined ? undefined : toSampleWeight(who, weights.sampleWeight, samples, owned);
  await checkFinite(who, { x, y });
  return { x, y, sampleWeight, samples };
}

function slice(data: Batch, start: number, end: number, order: Int32Array | null): Batch {
  return {
    x: rows(data.x, start, end, order),
    y: rows(data.y, start, end, order),
    sampleWeight: data.sampleWeight && (rows(data.sampleWeight, start, end, order) as tf.Tensor1D),
  };
}

const disposeBatch = (b: Batch) => tf.dispose([b.x, b.y, ...(b.sampleWeight ? [b.sampleWeight] : [])]);

/** The loss sum of an epoch, kept in one device variable. */
class RunningSum {
  private readonly total = tf.tidy(() => tf.variable(tf.scalar(0), false));
  samples = 0;
  add(batchSum: tf.Scalar, size: number): void {
    tf.tidy(() => this.total.assign(tf.add(this.total, batchSum)));
    this.samples += size;
  }
  /** Reads the mean loss and the metrics so far, all at once. */
  async logs(model: StepModel): Promise<Logs> {
    const samples = this.samples;
    // A clone keeps this value alive even if the next batch assigns the variable before the read ends.
    const snapshot = tf.clone(this.total);
    const [total, ...values] = await Promise.all([snapshot.data(), ...model.metrics.map((m) => m.result())]);
    snapshot.dispose();
    const logs: Logs = { loss: (total[0] as number) / samples };
    model.metrics.forEach((m, i) => {
      logs[m.name] = values[i] as number;
    });
    return logs;
  }
  dispose(): void {
    this.total.dispose();
  }
}

function batchSizeFor(model: Trainable, batchSize: number): number {
  const shapes = [model.inputShape as Shape, ...model.layers.map((l) => l.outputShape)];
  return Math.min(batchSize, maxBatchFor(shapes));
}

async function evaluateBatches(model: Trainable, data: Prepared, batchSize: number): Promise<Logs> {
  for (const m of model.metrics) m.reset();
  const sum = new RunningSum();
  const size = batchSizeFor(model, batchSize);
  try {
    for (let start = 0; start < data.samples; start += size) {
      const end = Math.min(start + size, data.samples);
      const batch = slice(data, start, end, null);
      const loss = evalStep(model, batch);
      disposeBatch(batch);
      sum.add(loss, end - start);
      loss.dispose();
    }
    return await sum.logs(model);
  } finally {
    sum.dispose();
  }
}

/** Trains `model` for `epochs` passes over (x, y) and resolves to the History callback. */
export async function fit(
  model: Trainable,
  xData: DataLike,
  yData: DataLike,
  options: FitOptions = {},
): Promise<History> {
  const who = `${model.label}.fit`;
  model.requireCompiled('fit');
  const o = parseConfig(who, FitOptions, options);
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
      const [vx, vy, vw] = o.validationData as [DataLike, DataLike, DataLike?];
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
      const cw = owned.own(classWeights(who, o.classWeight, train.y));
      const weighted = train.sampleWeight ? (owned.own(tf.mul(train.sampleWeight, cw)) as tf.Tensor1D) : cw;
      train = { ...train, sampleWeight: weighted };
    }
    return await loop(model, train, val, o);
  } finally {
    owned.dispose();
  }
}

function disposeAfter(owned: Owned, b: Batch): void {
  owned.own(b.x);
  owned.own(b.y);
  if (b.sampleWeight) owned.own(b.sampleWeight);
}

async function loop(
  model: Trainable,
  train: Prepared,
  val: Prepared | null,
  o: z.output<typeof FitOptions>,
): Promise<History> {
  const history = new History();
  const progress = o.verbose ? new ProgressLogger({ verbose: o.verbose }) : null;
  const callbacks = new CallbackList([...(progress ? [progress] : []), ...o.callbacks, history]);
  const steps = Math.ceil(train.samples / o.batchSize);
  const names = ['loss', ...model.metrics.map((m) => m.name)];
  callbacks.setModel(model);
  callbacks.setParams({
    epochs: o.epochs,
    initialEpoch: o.initialEpoch,
    steps,
    samples: train.samples,
    batchSize: o.batchSize,
    verbose: o.verbose,
    metrics: val ? [...names, ...names.map((n) => `val_${n}`)] : names,
  });
  let sum: RunningSum | null = null;
  progress?.setPeek(() => (sum ? sum.logs(model) : Promise.resolve({})));
  const readEachBatch = callbacks.needsBatchLoss;
  model.stopTraining = false;
  let logs: Logs = {};
  await callbacks.onTrainBegin();
  for (let epoch = o.initialEpoch; epoch < o.epochs && !model.stopTraining; epoch++) {
    await callbacks.onEpochBegin(epoch);
    for (const m of model.metrics) m.reset();
    const order = o.shuffle ? rng().permutation(train.samples) : null;
    const running = new RunningSum();
    sum = running;
    try {
      for (let step = 0; step < steps && !model.stopTraining; step++) {
        const start = step * o.batchSize;
        const end = Math.min(start + o.batchSize, train.samples);
        const batchLogs: Logs = { batch: step, size: end - start };
        await callbacks.onBatchBegin(step, batchLogs);
        const batch = slice(train, start, end, order);
        try {
          if (readEachBatch) {
            // Read the loss before updating, so a NaN batch leaves the last good weights in place.
            const { lossSum, grads } = computeStep(model, batch);
            const loss = ((await lossSum.data())[0] as number) / (end - start);
            if (Number.isFinite(loss)) {
              applyStep(model, grads);
              running.add(lossSum, end - start);
            } else {
              tf.dispose(grads);
            }
            lossSum.dispose();
            batchLogs.loss = loss;
          } else {
            const lossSum = trainStep(model, batch);
            running.add(lossSum, end - start);
            lossSum.dispose();
          }
        } finally {
          disposeBatch(batch);
        }
        await callbacks.onBatchEnd(step, batchLogs);
      }
      logs = await running.logs(model);
    } finally {
      sum = null;
      running.dispose();
    }
    if (val) {
      const valLogs = await evaluateBatches(model, val, o.batchSize);
      for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
    }
    await callbacks.onEpochEnd(epoch, logs);
  }
  await callbacks.onTrainEnd(logs);
  return history;
}

/** Loss and metrics over (x, y) in inference mode. */
export async function evaluate(
  model: Trainable,
  xData: DataLike,
  yData: DataLike,
  options: EvaluateOptions = {},
): Promise<Logs> {
  const who = `${model.label}.evaluate`;
  model.requireCompiled('evaluate');
  const o = parseConfig(who, EvaluateOptions, options);
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
  }
}

/** The model's outputs for x, in batches small enough for one GPU buffer binding. */
export function predict(model: Trainable, xData: DataLike, options: { batchSize?: number } = {}): tf.Tensor {
  const who = `${model.label}.predict`;
  const { batchSize } = parseConfig(who, z.strictObject({ batchSize: positiveInt().default(32) }), options);
  const owned = new Owned();
  try {
    const x = toTensor(who, 'x', xData, model.inputShape, owned);
    if (!model.inputShape || !model.layers.every((l) => l.built)) model.build(model.inputShape ?? x.shape.slice(1));
    assertBatchShape(who, 'x', model.inputShape as Shape, x.shape);
    const samples = x.shape[0] as number;
    const size = batchSizeFor(model, batchSize);
    if (samples <= size) return predictStep(model.layers, x);
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < samples; start += size) {
      const xb = rows(x, start, Math.min(start + size, samples), null);
      parts.push(predictStep(model.layers, xb));
      xb.dispose();
    }
    const out = tf.concat(parts, 0);
    tf.dispose(parts);
    return out;
  } finally {
    owned.dispose();
  }
}

/** One training step on (x, y) as one batch; resolves to its loss and metrics. */
export async function trainOnBatch(model: Trainable, xData: DataLike, yData: DataLike): Promise<Logs> {
  const who = `${model.label}.trainOnBatch`;
  model.requireCompiled('trainOnBatch');
  const owned = new Owned();
  const sum = new RunningSum();
  try {
    const data = await prepare(model, who, xData, yData, owned);
    for (const m of model.metrics) m.reset();
    const loss = trainStep(model, data);
    sum.add(loss, data.samples);
    loss.dispose();
    return await sum.logs(model);
  } finally {
    sum.dispose();
    owned.dispose();
  }
}
