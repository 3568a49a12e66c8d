import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Callback, Model } from 'brickml';
import type { MnistTensors } from './tensors.js';

export interface TrainMnistOptions {
  epochs: number;
  batchSize: number;
  /** Where the learning curves go (SVG), written to a temp file, then renamed. */
  svg: string;
}

/** Wall-clock seconds of each epoch, validation included. */
export function epochTimer(): Callback & { seconds: number[] } {
  let start = 0;
  const seconds: number[] = [];
  return {
    seconds,
    onEpochBegin: () => {
      start = performance.now();
    },
    onEpochEnd: () => {
      seconds.push((performance.now() - start) / 1000);
    },
  };
}

/** "41.2 s (39.8-43.0 s)": the mean of per-epoch seconds and their range. */
export function formatSeconds(seconds: readonly number[]): string {
  const mean = seconds.reduce((a, b) => a + b, 0) / Math.max(seconds.length, 1);
  const range = seconds.length > 1 ? ` (${Math.min(...seconds).toFixed(1)}-${Math.max(...seconds).toFixed(1)} s)` : '';
  return `${mean.toFixed(1)} s${range}`;
}

/**
 * What the MNIST examples with one output share: fit with the test set as validation and a progress bar,
 * print the test loss, accuracy and time per epoch, write the curves, dispose the data and the model.
 * Returns the test accuracy.
 */
export async function trainMnist(model: Model, data: MnistTensors, options: TrainMnistOptions): Promise<number> {
  const { xTrain, yTrain, xTest, yTest } = data;
  const timer = epochTimer();
  const history = await model.fit(xTrain, yTrain, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    validationData: [xTest, yTest],
    verbose: 1,
    callbacks: [timer],
  });
  const { loss = Number.NaN, accuracy = 0 } = await model.evaluate(xTest, yTest, { verbose: 0 });
  console.log(`Test loss: ${loss.toFixed(4)}`);
  console.log(`Test accuracy: ${(accuracy * 100).toFixed(2)}%`);
  console.log(`Time per epoch: ${formatSeconds(timer.seconds)}, validation included`);
  mkdirSync(dirname(options.svg), { recursive: true });
  writeFileSync(`${options.svg}.tmp`, history.toSVG());
  renameSync(`${options.svg}.tmp`, options.svg);
  console.log(`Learning curves: ${options.svg}`);
  for (const t of [xTrain, yTrain, xTest, yTest] as tf.Tensor[]) t.dispose();
  model.dispose();
  return accuracy;
}
