import { BrickError, setSeed } from '@brickml/core';
import { Dense } from '@brickml/layers';
import { forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { TerminateOnNaN } from './callbacks/index.js';
import { maxBatchFor } from './data.js';
import { Sequential } from './sequential.js';
import type { Callback, TrainingModel } from './types.js';

const XOR_X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const XOR_Y = [[0], [1], [1], [0]];

async function trainXor(hidden: boolean) {
  setSeed(7);
  const layers = hidden
    ? [new Dense({ units: 8, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })]
    : [new Dense({ units: 1, activation: 'sigmoid' })];
  const model = new Sequential({ inputShape: [2], layers });
  model.compile({
    optimizer: { className: 'Adam', config: { learningRate: 0.05 } },
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  const history = await model.fit(XOR_X, XOR_Y, { epochs: 300, batchSize: 4, verbose: 0 });
  const p = model.predict(XOR_X);
  const predicted = Array.from(await p.data()).map((v) => (v > 0.5 ? 1 : 0));
  p.dispose();
  model.dispose();
  return { history, predicted };
}

/** A regression model small enough for webgpu on Mesa. */
function tinyModel(name: string) {
  setSeed(1);
  const model = new Sequential({
    name,
    inputShape: [3],
    layers: [new Dense({ units: 4, activation: 'relu' }), new Dense({ units: 2, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy', 'auc'] });
  return model;
}

const tinyData = () => {
  const x = tf.tensor2d(Array.from({ length: 10 }, (_, i) => [i / 10, 1 - i / 10, (i % 3) / 3]));
  const y = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 10 }, (_, i) => i % 2),
      'int32',
    ),
    2,
  );
  return { x, y };
};

describe('Sequential.fit', () => {
  test('learns XOR to 100% with a hidden tanh layer', async () => {
    const { history, predicted } = await trainXor(true);
    expect(predicted).toEqual([0, 1, 1, 0]);
    expect(history.history.accuracy?.at(-1)).toBe(1);
    expect(history.epoch).toHaveLength(300);
    expect(history.history.loss?.at(-1)).toBeLessThan(0.1);
  });

  test('a linear model cannot learn XOR', async () => {
    const { history, predicted } = await trainXor(false);
    expect(predicted).not.toEqual([0, 1, 1, 0]);
    expect(history.history.accuracy?.at(-1)).toBeLessThan(1);
  });

  test('reports validation logs from validationSplit and validationData', async () => {
    const model = tinyModel('val');
    const { x, y } = tinyData();
    const split = await model.fit(x, y, { epochs: 2, batchSize: 3, validationSplit: 0.2, verbose: 0 });
    expect(Object.keys(split.history).sort()).toEqual([
      'accuracy',
      'auc',
      'loss',
      'val_accuracy',
      'val_auc',
      'val_loss',
    ]);
    const given = await model.fit(x, y, { epochs: 1, validationData: [x, y], verbose: 0, shuffle: false });
    const evaluated = await model.evaluate(x, y);
    // Validation runs on the weights at the end of the epoch: the same numbers evaluate gives after fit.
    expect(given.history.val_loss?.[0]).toBeCloseTo(evaluated.loss as number, 5);
    expect(given.history.val_accuracy?.[0]).toBeCloseTo(evaluated.accuracy as number, 5);
    expect(Object.keys(evaluated).sort()).toEqual(['accuracy', 'auc', 'loss']);
    expect(x.isDisposed || y.isDisposed).toBe(false);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('the epoch loss is the sample-weighted mean of the batch losses, as evaluate computes it', async () => {
    setSeed(2);
    const model = new Sequential({ inputShape: [2], layers: [new Dense({ units: 1 })] });
    model.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } }, loss: 'mse' });
    const x = [
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 10],
    ];
    const y = [[1], [2], [3], [4], [5]];
    const history = await model.fit(x, y, { batchSize: 2, verbose: 0 });
    const { loss } = await model.evaluate(x, y, { batchSize: 5 });
    expect(history.history.loss?.[0]).toBeCloseTo(loss as number, 4);
    model.dispose();
  });

  test('classWeight weighs the loss of each class', async () => {
    setSeed(2);
    const model = new Sequential({ inputShape: [1], layers: [new Dense({ units: 1, activation: 'sigmoid' })] });
    model.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } }, loss: 'binaryCrossentropy' });
    const x = [[1], [-1]];
    const plain = await model.fit(x, [1, 0], { verbose: 0 });
    const onlyFirst = await model.fit(x, [1, 0], { verbose: 0, classWeight: { 0: 0, 1: 2 } });
    const first = await model.fit([[1]], [1], { verbose: 0 });
    const weighted = await model.fit(x, [1, 0], { verbose: 0, sampleWeight: [2, 0] });
    expect(weighted.history.loss?.[0]).toBeCloseTo(first.history.loss?.[0] as number, 5);
    expect(plain.history.loss?.[0]).toBeGreaterThan(0);
    // Σ wᵢ lᵢ / N with w = (2, 0), N = 2 is l₀, the loss of the first sample alone.
    expect(onlyFirst.history.loss?.[0]).toBeCloseTo(first.history.loss?.[0] as number, 5);
    model.dispose();
  });

  test('stopTraining set in a callback stops at the end of the current batch', async () => {
    const model = tinyModel('stop');
    const { x, y } = tinyData();
    const batches: number[] = [];
    let trained: TrainingModel | undefined;
    const stopper: Callback = {
      setModel: (m) => {
        trained = m;
      },
      onBatchEnd: (batch) => {
        batches.push(batch);
        if (batch === 1 && trained) trained.stopTraining = true;
      },
    };
    const history = await model.fit(x, y, { epochs: 5, batchSize: 2, callbacks: [stopper], verbose: 0 });
    expect(batches).toEqual([0, 1]);
    expect(history.epoch).toEqual([0]);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('TerminateOnNaN stops at the first non-finite batch loss and keeps the last good weights', async () => {
    setSeed(4);
    const model = new Sequential({ inputShape: [1], layers: [new Dense({ units: 1 })] });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const lines: string[] = [];
    const seen: tf.Tensor[][] = [];
    const keep: Callback = { onBatchBegin: () => void seen.push(model.getWeights()) };
    // The second example's squared error overflows float32: its loss is Infinity.
    await model.fit([[1], [1e30], [1]], [[0], [0], [0]], {
      batchSize: 1,
      epochs: 3,
      shuffle: false,
      verbose: 0,
      callbacks: [keep, new TerminateOnNaN((l) => lines.push(l))],
    });
    expect(lines).toEqual(['Batch 2 of epoch 1: invalid loss, terminating training']);
    expect(seen).toHaveLength(2);
    const [first, second] = seen as [tf.Tensor[], tf.Tensor[]];
    const now = model.getWeights();
    const read = (ts: tf.Tensor[]) => Promise.all(ts.map(async (t) => Array.from(await t.data())));
    expect(await read(now)).toEqual(await read(second));
    expect(await read(now)).not.toEqual(await read(first));
    tf.dispose([...seen.flat(), ...now]);
    model.dispose();
  });

  test('verbose 2 prints one line per epoch; verbose 0 prints nothing', async () => {
    const model = tinyModel('talk');
    const { x, y } = tinyData();
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await model.fit(x, y, { epochs: 2, verbose: 2 });
      await model.fit(x, y, { epochs: 2, verbose: 0 });
    } finally {
      write.mockRestore();
    }
    const text = written.join('');
    expect(text.match(/^Epoch \d\/2 - .* - loss: \d+\.\d{4} - accuracy: /gm)).toHaveLength(2);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('initialEpoch resumes the epoch count', async () => {
    const model = tinyModel('resume');
    const { x, y } = tinyData();
    const history = await model.fit(x, y, { epochs: 3, initialEpoch: 1, verbose: 0 });
    expect(history.epoch).toEqual([1, 2]);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('trainOnBatch takes one step and returns its logs', async () => {
    const model = tinyModel('tob');
    const { x, y } = tinyData();
    const before = model.getWeights();
    const logs = await model.trainOnBatch(x, y);
    expect(Object.keys(logs).sort()).toEqual(['accuracy', 'auc', 'loss']);
    const after = model.getWeights();
    expect(Array.from(await (after[0] as tf.Tensor).data())).not.toEqual(
      Array.from(await (before[0] as tf.Tensor).data()),
    );
    tf.dispose([x, y, ...before, ...after]);
    model.dispose();
  });

  test('predict splits into batches and matches one full pass', async () => {
    const model = tinyModel('pred');
    const { x, y } = tinyData();
    const [a, b] = [model.predict(x, { batchSize: 3 }), model.predict(x, { batchSize: 100 })];
    expect(a.shape).toEqual([10, 2]);
    const [da, db] = await Promise.all([a.data(), b.data()]);
    for (let i = 0; i < da.length; i++) expect(da[i]).toBeCloseTo(db[i] as number, 6);
    tf.dispose([x, y, a, b]);
    model.dispose();
  });

  test('accepts typed arrays shaped by the model', async () => {
    const model = tinyModel('typed');
    const history = await model.fit(new Float32Array(30).fill(0.5), new Float32Array(20).fill(0.5), { verbose: 0 });
    expect(history.history.loss?.[0]).toBeGreaterThan(0);
    model.dispose();
  });

  describe('rejects bad input before any step', () => {
    let model: Sequential;
    beforeAll(() => {
      model = tinyModel('bad');
    });
    afterAll(() => model.dispose());
    const x = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const y = [
      [0, 1],
      [1, 0],
    ];
    const reject = async (p: Promise<unknown>, message: string) => {
      await expect(p).rejects.toThrowError(BrickError);
      await expect(p).rejects.toThrow(message);
    };

    test('fit before compile', async () => {
      const fresh = new Sequential({ name: 'fresh', inputShape: [3], layers: [new Dense({ units: 2 })] });
      await reject(fresh.fit(x, y), "Sequential 'fresh'.fit: compile the model first");
      fresh.dispose();
    });
    test('x and y with different sample counts', () =>
      reject(
        model.fit(x, [[0, 1]]),
        "Sequential 'bad'.fit: x and y must hold the same number of samples, received x [2, 3] (2 samples) and y [1, 2] (1 samples)",
      ));
    test('features that do not match the input shape', () =>
      reject(
        model.fit(
          [
            [1, 2],
            [3, 4],
          ],
          y,
        ),
        "Sequential 'bad'.fit: x must have shape [null, 3], received [2, 2]",
      ));
    test('labels that do not fit the loss', () =>
      reject(
        model.fit(x, [[1], [0]]),
        'targets (yTrue) must have shape [2, 2] for predictions of shape [2, 2], received [2, 1]',
      ));
    test('NaN in x or y', async () => {
      await reject(
        model.fit(
          [
            [1, Number.NaN, 3],
            [4, 5, 6],
          ],
          y,
        ),
        "Sequential 'bad'.fit: x must hold no NaN, received 1 NaN value",
      );
      await reject(
        model.fit(x, [
          [0, Number.NaN],
          [1, 0],
        ]),
        "Sequential 'bad'.fit: y must hold no NaN, received 1 NaN value",
      );
    });
    test('a bad option', () => reject(model.fit(x, y, { epochs: 0 }), 'epochs must be a positive integer, received 0'));
  });

  forEachBackend((backend) => {
    test(`leaves no tensor behind per epoch, with metrics, validation and callbacks (${backend})`, async () => {
      const model = tinyModel(`leak_${backend}`);
      const { x, y } = tinyData();
      const counts: number[] = [];
      const probe: Callback = { onEpochBegin: () => void counts.push(tf.memory().numTensors) };
      await model.fit(x, y, {
        epochs: 4,
        batchSize: 4,
        validationSplit: 0.2,
        callbacks: [probe, new TerminateOnNaN()],
        verbose: 0,
      });
      await model.fit(x, y, { epochs: 3, batchSize: 4, classWeight: { 0: 1, 1: 2 }, callbacks: [probe], verbose: 0 });
      // The first epoch creates the optimizer's and metrics' lasting state; every epoch after starts equal.
      expect(new Set(counts.slice(1, 4)).size).toBe(1);
      expect(new Set(counts.slice(5)).size).toBe(1);
      const before = tf.memory().numTensors;
      await model.fit(x, y, { epochs: 1, verbose: 0 });
      await model.evaluate(x, y);
      model.predict(x).dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
      model.dispose();
    });

    test(`caps batches so the widest activation fits one buffer binding (${backend})`, () => {
      const device = (tf.backend() as unknown as { device?: { limits: { maxStorageBufferBindingSize: number } } })
        .device;
      const limit = backend === 'webgpu' ? (device?.limits.maxStorageBufferBindingSize as number) : 2 ** 30;
      expect(maxBatchFor([[10], [2 ** 20], [3]])).toBe(Math.floor(limit / 2 ** 22));
    });
  });
});

describe('fit, Keras rules on weights and ownership', () => {
  test('classWeight weighs the training loss only, not val_loss', async () => {
    const fitOnce = async (classWeight?: Record<string, number>) => {
      setSeed(3);
      const model = new Sequential({ inputShape: [2], layers: [new Dense({ units: 1, activation: 'sigmoid' })] });
      model.compile({ optimizer: { className: 'SGD', config: { learningRate: 0 } }, loss: 'binaryCrossentropy' });
      const h = await model.fit(XOR_X, XOR_Y, { epochs: 1, validationSplit: 0.5, verbose: 0, classWeight });
      model.dispose();
      return h.history;
    };
    const plain = await fitOnce();
    const weighted = await fitOnce({ 0: 3, 1: 0.5 });
    expect(weighted.val_loss?.[0]).toBeCloseTo(plain.val_loss?.[0] as number, 6);
    expect(weighted.loss?.[0]).not.toBeCloseTo(plain.loss?.[0] as number, 3);
  });

  test('compiling again disposes the optimizer the model built, not one passed in', async () => {
    const model = new Sequential({ inputShape: [2], layers: [new Dense({ units: 1 })] });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit(XOR_X, XOR_Y, { epochs: 1, verbose: 0 });
    const before = tf.memory().numTensors;
    model.compile({ optimizer: 'adam', loss: 'mse' });
    expect(tf.memory().numTensors).toBeLessThan(before);
    model.dispose();
  });
});
