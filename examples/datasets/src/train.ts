import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { Sequential } from 'brickml';
import type { MnistTensors } from './tensors.js';

export interface TrainMnistOptions {
  epochs: number;
  batchSize: number;
  /** Where the learning curves go (SVG), written to a temp file, then renamed. */
  svg: string;
}

/**
 * What the MNIST examples share: fit with the test set as validation and a progress bar, print the test
 * loss and accuracy, write the curves, dispose the data and the model. Returns the test accuracy.
 */
export async function trainMnist(model: Sequential, data: MnistTensors, options: TrainMnistOptions): Promise<number> {
  const { xTrain, yTrain, xTest, yTest } = data;
  const history = await model.fit(xTrain, yTrain, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    validationData: [xTest, yTest],
    verbose: 1,
  });
  const { loss = Number.NaN, accuracy = 0 } = await model.evaluate(xTest, yTest, { verbose: 0 });
  console.log(`Test loss: ${loss.toFixed(4)}`);
  console.log(`Test accuracy: ${(accuracy * 100).toFixed(2)}%`);
  mkdirSync(dirname(options.svg), { recursive: true });
  writeFileSync(`${options.svg}.tmp`, history.toSVG());
  renameSync(`${options.svg}.tmp`, options.svg);
  console.log(`Learning curves: ${options.svg}`);
  for (const t of [xTrain, yTrain, xTest, yTest] as tf.Tensor[]) t.dispose();
  model.dispose();
  return accuracy;
}
