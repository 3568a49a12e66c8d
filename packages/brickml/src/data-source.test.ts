import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { DataSource, examplesOf, loadExamples, loadInputs } from './data-source.js';
import { writeNpy } from './npy.js';

const dir = mkdtempSync(join(tmpdir(), 'brickml-data-'));
const load = (source: unknown) => loadExamples(DataSource.parse(source), 'data', dir);

describe('data sources', () => {
  test('mnist gives the well-known first labels, one-hot, and pixels in [0, 1]', async () => {
    const { x, y } = await load({ kind: 'mnist', split: 'train', limit: 5 });
    expect(x.shape).toEqual([5, 784]);
    expect(y.shape).toEqual([5, 10]);
    const labels = tf.argMax(y, 1);
    expect([...(await labels.data())]).toEqual([5, 0, 4, 1, 9]);
    const [lo, hi] = [tf.min(x), tf.max(x)];
    expect([(await lo.data())[0], (await hi.data())[0]]).toEqual([0, 1]);
    tf.dispose([x, y, labels, lo, hi]);
  });

  test('mnist with flatten false and oneHot false gives images and digits', async () => {
    const { x, y } = await load({ kind: 'mnist', split: 'test', limit: 3, flatten: false, oneHot: false });
    expect(x.shape).toEqual([3, 28, 28, 1]);
    expect([...(await y.data())]).toEqual([7, 2, 1]);
    tf.dispose([x, y]);
  });

  test('csv takes the label column by index and the others as features, in order', async () => {
    writeFileSync(join(dir, 'a.csv'), '1,10,2\n3,11,4\n');
    const { x, y } = await load({ kind: 'csv', path: 'a.csv', label: 1 });
    expect(x.shape).toEqual([2, 2]);
    expect([...(await x.data())]).toEqual([1, 2, 3, 4]);
    expect(y.shape).toEqual([2, 1]);
    expect([...(await y.data())]).toEqual([10, 11]);
    tf.dispose([x, y]);
  });

  test('csv refuses a one-hot label out of range, and a label name without a header', async () => {
    writeFileSync(join(dir, 'b.csv'), 'f,label\n0.5,3\n');
    writeFileSync(join(dir, 'c.csv'), '0.5,1\n');
    await expect(load({ kind: 'csv', path: 'b.csv', label: 'label', oneHot: 3 })).rejects.toThrow(
      `data: ${join(dir, 'b.csv')}: label of example 0 must be an integer in [0, 3), received 3`,
    );
    await expect(load({ kind: 'csv', path: 'c.csv', label: 'label' })).rejects.toThrow(
      `data: label 'label' names a column, but ${join(dir, 'c.csv')} has no header`,
    );
    await expect(load({ kind: 'csv', path: 'c.csv', label: 2 })).rejects.toThrow(
      `data: label column 2 is out of range, ${join(dir, 'c.csv')} has 2`,
    );
  });

  test('npy reads x and y as NumPy stored them', async () => {
    writeFileSync(join(dir, 'x.npy'), writeNpy([1, 2, 3, 4, 5, 6], [3, 2]));
    writeFileSync(join(dir, 'y.npy'), writeNpy([0, 1, 0], [3]));
    const { x, y } = await load({ kind: 'npy', x: 'x.npy', y: 'y.npy' });
    expect(x.shape).toEqual([3, 2]);
    expect(y.shape).toEqual([3]);
    expect([...(await x.data())]).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([x, y]);
  });

  test('a source whose targets cannot be built leaves no input tensor behind', () => {
    const before = tf.memory().numTensors;
    expect(() =>
      examplesOf(
        () => tf.tensor2d([1, 2, 3, 4], [2, 2]),
        () => tf.tensor2d([1, 2, 3], [2, 2]),
      ),
    ).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('loading a source leaves only its x and y', async () => {
    const before = tf.memory().numTensors;
    const { x, y } = await load({ kind: 'npy', x: 'x.npy', y: 'y.npy' });
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, y]);
  });

  test('predict inputs must be .npy or .csv', async () => {
    await expect(loadInputs(join(dir, 'x.txt'), 'brickml predict')).rejects.toThrow(
      `brickml predict: ${join(dir, 'x.txt')} must be a .npy or .csv file, received '.txt'`,
    );
  });
});
