import { BrickError, setSeed } from '@brickml/core';
import { Dense } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import type { DatasetBatch } from './dataset.js';
import { Sequential } from './sequential.js';
import type { TrainParams } from './types.js';

function model(name: string) {
  setSeed(3);
  const m = new Sequential({ name, inputShape: [2], layers: [new Dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({
    optimizer: { className: 'SGD', config: { learningRate: 0.5 } },
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  return m;
}

/** Batches of points labelled by which side of x0 + x1 = 0 they lie on, made fresh each call. */
function* batches(count: number, size = 8): Generator<DatasetBatch> {
  for (let b = 0; b < count; b++) {
    const values = Array.from({ length: size * 2 }, (_, i) => Math.sin(i * 2.1 + b * 0.37));
    const labels = Array.from({ length: size }, (_, i) =>
      (values[2 * i] as number) + (values[2 * i + 1] as number) > 0 ? 1 : 0,
    );
    yield { xs: tf.tensor2d(values, [size, 2]), ys: tf.tensor2d(labels, [size, 1]) };
  }
}

describe('fitDataset', () => {
  test('trains from a generator function, epoch after epoch, and owns the batches it reads', async () => {
    const m = model('gen');
    const before = tf.memory().numTensors;
    const history = await m.fitDataset(() => batches(10), { epochs: 8, verbose: 0 });
    const loss = history.history.loss as number[];
    expect(loss).toHaveLength(8);
    expect(loss[7]).toBeLessThan(loss[0] as number);
    expect(tf.memory().numTensors).toBe(before);
    const logs = await m.evaluateDataset(() => batches(4));
    expect(logs.accuracy).toBeGreaterThan(0.8);
    m.dispose();
  });

  test('tells callbacks the step count when the dataset states it, and null when it does not', async () => {
    const m = model('steps');
    const seen: (number | null)[] = [];
    const probe = { setParams: (p: TrainParams) => void seen.push(p.steps) };
    await m.fitDataset([...batches(3)], { verbose: 0, callbacks: [probe] });
    await m.fitDataset(() => batches(3), { verbose: 0, callbacks: [probe] });
    await m.fitDataset(() => batches(9), { verbose: 0, batchesPerEpoch: 4, callbacks: [probe] });
    expect(seen).toEqual([3, null, 4]);
    m.dispose();
  });

  test('stops an epoch after batchesPerEpoch and validates on a second dataset', async () => {
    const m = model('val');
    let read = 0;
    function* counted() {
      for (const b of batches(20)) {
        read++;
        yield b;
      }
    }
    const history = await m.fitDataset(counted, {
      epochs: 2,
      batchesPerEpoch: 5,
      verbose: 0,
      validationData: () => batches(2),
    });
    expect(read).toBe(10);
    expect(history.history.val_loss).toHaveLength(2);
    expect(history.history.val_accuracy).toHaveLength(2);
    m.dispose();
  });

  test('takes tfjs-style datasets (iterator()) and [x, y] batches', async () => {
    const m = model('tfdata');
    const list = [...batches(3)].map((b) => [(b as { xs: tf.Tensor }).xs, (b as { ys: tf.Tensor }).ys] as DatasetBatch);
    const dataset = {
      size: 3,
      iterator: async () => {
        let i = 0;
        return {
          next: async () =>
            i < list.length ? { value: list[i++] as DatasetBatch, done: false } : { value: undefined, done: true },
        };
      },
    };
    const history = await m.fitDataset(dataset as never, { verbose: 0 });
    expect(history.history.loss).toHaveLength(1);
    m.dispose();
  });

  test('names a generator that ran dry, and a batch of the wrong shape', async () => {
    const m = model('dry');
    const once = batches(2);
    await expect(m.fitDataset(once, { epochs: 2, verbose: 0 })).rejects.toThrow(
      "Sequential 'dry'.fitDataset: epoch 2 has no batches; a generator runs once, so pass a function that returns a fresh one each epoch",
    );
    const wrong = [{ xs: tf.ones([4, 3]), ys: tf.ones([4, 1]) }];
    await expect(m.fitDataset(wrong, { verbose: 0 })).rejects.toThrowError(BrickError);
    await expect(m.fitDataset([{ x: 1 } as never], { verbose: 0 })).rejects.toThrow(
      "Sequential 'dry'.fitDataset: each batch must be { xs, ys } or [x, y], received object",
    );
    m.dispose();
  });
});
