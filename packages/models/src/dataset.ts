/**
 * Training on data that does not fit in memory, as tfjs-layers' fitDataset: batches come from an iterable,
 * an async iterable (a generator), a function that returns a fresh one each epoch, or a tf.data.Dataset.
 * Each batch is converted and checked like fit's data (counts, shapes, label kinds; no NaN read per batch,
 * which would stall the device: TerminateOnNaN covers that), and every tensor the batch held is disposed after
 * its step: fitDataset owns what the dataset yields.
 */
import { BrickError, configObject, nonNegativeInt, parseConfig, positiveInt } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { TrainingStateOption } from './callbacks/fit-progress.js';
import type { History } from './callbacks/index.js';
import { type DataLike, Owned } from './data.js';
import type { Model } from './model.js';
import { convert, type ModelData } from './model-data.js';
import type { Batch } from './train-step.js';
import { evaluateSource } from './training.js';
import { type BatchSource, checkResumeEpoch, loop } from './training-loop.js';
import type { Callback, Logs } from './types.js';

/** One batch: `{ xs, ys, sampleWeight? }` (tfjs-layers' form) or `[x, y]` / `[x, y, sampleWeight]`. */
export type DatasetBatch =
  | { xs: ModelData; ys: ModelData; sampleWeight?: DataLike }
  | [ModelData, ModelData]
  | [ModelData, ModelData, DataLike];

type Batches = Iterable<DatasetBatch> | AsyncIterable<DatasetBatch>;

/** tf.data.Dataset's shape: `iterator()` and, when known, `size`. */
export interface DatasetLike {
  iterator(): Promise<{ next(): Promise<IteratorResult<DatasetBatch>> }>;
  readonly size?: number | null;
}

/**
 * Where batches come from, each epoch: an array or iterable (iterated anew), an async iterable, a function
 * returning a fresh (async) iterable, or a tf.data.Dataset.
 */
export type Dataset = Batches | (() => Batches) | DatasetLike;

const isCallback = (c: unknown) => typeof c === 'object' && c !== null;
const isDataset = (d: unknown) =>
  typeof d === 'function' ||
  (typeof d === 'object' && d !== null && (Symbol.iterator in d || Symbol.asyncIterator in d || 'iterator' in d));

export const FitDatasetOptions = configObject({
  /** Index of the epoch to stop before. Default: 1. */
  epochs: positiveInt().default(1),
  /** Batches in one epoch. Default: the dataset's length or size when it has one, else every batch it yields. */
  batchesPerEpoch: positiveInt().optional(),
  /**
   * A dataset evaluated after each epoch; data in memory is a dataset of one batch: `[{ xs, ys }]`.
   * Default: none.
   */
  validationData: z.custom<Dataset>((d) => isDataset(d), 'must be a dataset').optional(),
  /** Hooks called during training. Default: none (History is always added). */
  callbacks: z.array(z.custom<Callback>(isCallback, 'must be callback objects')).default([]),
  /** 0 silent, 1 progress bar, 2 one line per epoch. Default: 1. */
  verbose: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
  /** Epoch to start counting from (to resume training). Default: 0, or the epoch of trainingState. */
  initialEpoch: nonNegativeInt().default(0),
  /**
   * Progress to continue from exactly (`model.trainingState` of a loaded checkpoint, or a History's
   * `trainingState`): the first epoch, the generators' positions and the callbacks' states. Default: none.
   */
  trainingState: TrainingStateOption,
});
export type FitDatasetOptions = z.input<typeof FitDatasetOptions>;

/** The batches of one pass over the dataset. */
async function* pass(who: string, dataset: Dataset): AsyncGenerator<DatasetBatch> {
  const source = typeof dataset === 'function' ? dataset() : dataset;
  if (typeof source === 'object' && source !== null && 'iterator' in source && typeof source.iterator === 'function') {
    const it = await source.iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    return;
  }
  if (!source || !(Symbol.iterator in source || Symbol.asyncIterator in source)) {
    throw new BrickError(
      `${who}: the dataset must be iterable, async iterable, a function returning one, or have iterator()`,
      who,
    );
  }
  yield* source as Batches;
}

/** The length a dataset states: an array's length or a tf.data.Dataset's finite size. */
function statedLength(dataset: Dataset): number | null {
  if (Array.isArray(dataset)) return dataset.length;
  const size = (dataset as { size?: unknown }).size;
  return typeof size === 'number' && Number.isFinite(size) && size > 0 ? size : null;
}

function parts(who: string, el: DatasetBatch): [ModelData, ModelData, DataLike | undefined] {
  if (Array.isArray(el) && (el.length === 2 || el.length === 3)) return [el[0], el[1], el[2] as DataLike | undefined];
  if (typeof el === 'object' && el !== null && 'xs' in el && 'ys' in el) return [el.xs, el.ys, el.sampleWeight];
  throw new BrickError(`${who}: each batch must be { xs, ys } or [x, y], received ${describe(el)}`, who);
}

const describe = (x: unknown) => (Array.isArray(x) ? `an array of ${x.length}` : typeof x);

/** Every tensor inside a batch as the dataset gave it. */
function tensorsIn(x: unknown, out: tf.Tensor[] = []): tf.Tensor[] {
  if (x instanceof tf.Tensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) tensorsIn(v, out);
  else if (typeof x === 'object' && x !== null && !ArrayBuffer.isView(x))
    for (const v of Object.values(x)) tensorsIn(v, out);
  return out;
}

/** The dataset's batches converted for the model; each batch's tensors are disposed once its step is done. */
async function* converted(model: Model, who: string, dataset: Dataset): AsyncGenerator<Batch> {
  for await (const el of pass(who, dataset)) {
    const owned = new Owned();
    try {
      const [x, y, w] = parts(who, el);
      const { xs, ys, sampleWeight } = convert(model, who, x, y, owned, { sampleWeight: w });
      yield { xs, ys, sampleWeight };
    } finally {
      // The loop has disposed the batch it was given; this disposes what conversion made besides and
      // the batch as the dataset gave it (disposing a tensor twice does nothing).
      owned.dispose();
      tf.dispose(tensorsIn(el));
    }
  }
}

/** Trains on batches from a dataset; see the module comment. Resolves to the History. */
export async function fitDataset(model: Model, dataset: Dataset, options: FitDatasetOptions = {}): Promise<History> {
  const who = `${model.label}.fitDataset`;
  model.requireCompiled('fitDataset');
  if (!isDataset(dataset))
    throw new BrickError(
      `${who}: the dataset must be iterable or a function returning one, received ${describe(dataset)}`,
      who,
    );
  const o = parseConfig(who, FitDatasetOptions, options);
  checkResumeEpoch(who, options.initialEpoch, o.trainingState);
  const release = model.hold(who, 'fitDataset');
  try {
    const steps = o.batchesPerEpoch ?? statedLength(dataset);
    const source: BatchSource = { steps, samples: null, batches: () => converted(model, who, dataset) };
    const val = o.validationData;
    const validate = val ? () => evaluateSource(model, converted(model, `${who} validationData`, val)) : null;
    return await loop(model, source, { ...o, who, batchSize: 0, validate });
  } finally {
    release();
  }
}

/** Loss and metrics over every batch of a dataset, in inference mode. */
export async function evaluateDataset(model: Model, dataset: Dataset): Promise<Logs> {
  const who = `${model.label}.evaluateDataset`;
  model.requireCompiled('evaluateDataset');
  const release = model.hold(who, 'evaluateDataset');
  try {
    return await evaluateSource(model, converted(model, who, dataset));
  } finally {
    release();
  }
}
