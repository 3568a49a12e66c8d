/**
 * fit, evaluate, predict and trainOnBatch for any model (they run it through its executor). x and y are
 * one tensor per input and output, given as a list or a record by name. Per-batch numbers stay on the
 * device (running loss sums, metric accumulators); they are read once per epoch, with one Promise.all.
 */
import { BrickError, configObject, parseConfig, positiveInt, rng } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { History } from './callbacks/index.js';
import { classWeights, type DataLike, maxBatchFor, Owned, rows } from './data.js';
import type { Model } from './model.js';
import { disposeBatch, type ModelData, type Prepared, prepare, slice, toInputs } from './model-data.js';
import { EvaluateOptions, FitOptions } from './options.js';
import { RunningSum } from './running-sum.js';
import { type Batch, evalStep, predictStep, trainStep } from './train-step.js';
import { type BatchSource, checkResumeEpoch, loop } from './training-loop.js';
import type { Logs } from './types.js';

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

function disposeAfter(owned: Owned, b: Batch): void {
  for (const t of [...b.xs, ...b.ys]) owned.own(t);
  if (b.sampleWeight) owned.own(b.sampleWeight);
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
  const { batchSize } = parseConfig(who, configObject({ batchSize: positiveInt().default(32) }), options);
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
