/**
 * x and y as a model takes them: one tensor per input and output, from a list, a record by name or one value,
 * checked (counts, shapes, label kinds, NaN and infinities) before any step; and their slices into batches.
 */
import { assertBatchShape, BrickError, formatShape, type Shape } from '@brickml/core';
import { checkTargets, type TargetKind, validateLabels } from '@brickml/losses';
import * as tf from '@tensorflow/tfjs-core';
import { checkFinite, checkXY, type DataLike, type Owned, rows, toSampleWeight, toTargets, toTensor } from './data.js';
import type { Model } from './model.js';
import type { Batch } from './train-step.js';

/** x or y for a model: one DataLike, a list (one per input or output, in order) or a record by name. */
export type ModelData = DataLike | DataLike[] | Record<string, DataLike>;

export interface Prepared extends Batch {
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
export function toInputs(model: Model, who: string, xData: ModelData, owned: Owned): tf.Tensor[] {
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
export async function prepare(
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

export function slice(data: Batch, start: number, end: number, order: Int32Array | null): Batch {
  return {
    xs: data.xs.map((x) => rows(x, start, end, order)),
    ys: data.ys.map((y) => rows(y, start, end, order)),
    sampleWeight: data.sampleWeight && (rows(data.sampleWeight, start, end, order) as tf.Tensor1D),
  };
}

export const disposeBatch = (b: Batch) => tf.dispose([...b.xs, ...b.ys, ...(b.sampleWeight ? [b.sampleWeight] : [])]);
