import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, loadMnist, mnistDataDir, oneHot } from './index.js';

describe('loadMnist', () => {
  test('the IDX files carry the label and image magic numbers', () => {
    const magic = (f: string) => readFileSync(join(mnistDataDir(), f)).readUInt32BE(0);
    expect(magic('train-labels-idx1-ubyte')).toBe(IDX_LABELS_MAGIC);
    expect(magic('t10k-labels-idx1-ubyte')).toBe(2049);
    expect(magic('train-images-idx3-ubyte')).toBe(IDX_IMAGES_MAGIC);
    expect(magic('t10k-images-idx3-ubyte')).toBe(2051);
  });

  test('reads 60000 training and 10000 test digits', () => {
    const d = loadMnist();
    expect(d.yTrain.length).toBe(60000);
    expect(d.yTest.length).toBe(10000);
    expect(d.xTrain.length).toBe(60000 * 784);
    expect(d.xTest.length).toBe(10000 * 784);
    expect(d.shapes).toEqual({ xTrain: [60000, 784], yTrain: [60000], xTest: [10000, 784], yTest: [10000] });
  });

  test('the first labels are the well-known ones', () => {
    const d = loadMnist({ trainLimit: 5, testLimit: 5 });
    expect([...d.yTrain]).toEqual([5, 0, 4, 1, 9]);
    expect([...d.yTest]).toEqual([7, 2, 1, 0, 4]);
  });

  test('pixels are scaled to [0, 1] and limits and flatten shape the result', () => {
    const d = loadMnist({ trainLimit: 3, testLimit: 2, flatten: false });
    expect(d.shapes.xTrain).toEqual([3, 28, 28, 1]);
    expect(d.shapes.xTest).toEqual([2, 28, 28, 1]);
    expect(Math.max(...d.xTrain)).toBe(1);
    expect(Math.min(...d.xTrain)).toBe(0);
    expect(d.xTrain.some((v) => v > 0 && v < 1)).toBe(true);
  });

  test('rejects a negative limit', () => {
    expect(() => loadMnist({ trainLimit: -1 })).toThrow(/trainLimit must be a non-negative integer, received -1/);
  });
});

describe('oneHot', () => {
  test('puts a single 1 at each label', () => {
    expect([...oneHot(new Uint8Array([2, 0]), 3)]).toEqual([0, 0, 1, 1, 0, 0]);
  });

  test('rejects a label out of range', () => {
    expect(() => oneHot([3], 3)).toThrow(/labels\[0\] must be an integer in \[0, 3\), received 3/);
  });
});
