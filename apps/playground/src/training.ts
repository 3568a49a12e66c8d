/**
 * Training on the page: compile, fit with a callback that charts each batch's loss and, every few
 * batches, the accuracy on a slice of the test digits (yielding so the page repaints), then the
 * predictions on every test digit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type CompileArgs, LambdaCallback, type Model } from 'brickml';
import type { TrainingChart } from './chart.js';
import type { Digits } from './data.js';

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  optimizer: 'Adam' | 'RMSprop' | 'SGD';
  learningRate: number;
}

/** The digits as the model's input: [n, ...its input shape], which must hold 28x28 pixels. */
function inputs(model: Model, d: Digits): tf.Tensor {
  const shape = model.inputShapes?.[0] ?? [784];
  const size = shape.reduce<number>((n, s) => n * (s ?? 0), 1);
  if (model.inputShapes?.length !== 1 || size !== 784) {
    throw new Error(`this page feeds 28x28 digits: the input shape must hold 784 values, received [${shape}]`);
  }
  return tf.tensor(d.pixels, [d.count, ...(shape as number[])]);
}

function oneHot(labels: Uint8Array): tf.Tensor2D {
  const y = new Float32Array(labels.length * 10);
  labels.forEach((label, i) => {
    y[i * 10 + label] = 1;
  });
  return tf.tensor2d(y, [labels.length, 10]);
}

/** The most probable digit for each example. */
export async function predictDigits(model: Model, d: Digits): Promise<Int32Array> {
  const x = inputs(model, d);
  const p = model.predict(x, { batchSize: 256 }) as tf.Tensor;
  const best = tf.argMax(p, -1);
  const digits = (await best.data()) as Int32Array;
  tf.dispose([x, p, best]);
  return digits;
}

export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / Math.max(1, labels.length);
}

const nextFrame = () => new Promise((done) => setTimeout(done, 0));

/** Trains `model` on `train`, charting as it goes; returns the predictions on every test digit. */
export async function train(
  model: Model,
  data: { train: Digits; test: Digits; probe: Digits },
  s: TrainSettings,
  chart: TrainingChart,
): Promise<Int32Array> {
  model.compile({
    optimizer: { className: s.optimizer, config: { learningRate: s.learningRate } } as CompileArgs['optimizer'],
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const batches = Math.ceil(data.train.count / s.batchSize);
  chart.reset(batches * s.epochs);
  const every = Math.max(1, Math.round((batches * s.epochs) / 40));
  let step = 0;
  const probe = async () => {
    chart.addAccuracy(step, accuracy(await predictDigits(model, data.probe), data.probe.labels));
    chart.draw();
    await nextFrame();
  };
  await probe();
  const x = inputs(model, data.train);
  const y = oneHot(data.train.labels);
  try {
    await model.fit(x, y, {
      epochs: s.epochs,
      batchSize: s.batchSize,
      verbose: 0,
      callbacks: [
        new LambdaCallback({
          needsBatchLoss: true,
          onBatchEnd: async (_batch, logs) => {
            chart.addLoss(logs.loss as number);
            if (++step % every === 0) await probe();
          },
        }),
      ],
    });
  } finally {
    tf.dispose([x, y]);
  }
  if (step % every !== 0) await probe();
  return predictDigits(model, data.test);
}
