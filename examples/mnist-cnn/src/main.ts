/**
 * Keras' mnist_cnn on the real MNIST files: Conv2D 32 3x3 relu, Conv2D 64 3x3 relu, MaxPooling 2,
 * Dropout 0.25, Flatten, Dense 128 relu, Dropout 0.5, Dense 10 softmax; Adam; batch 128. Prints test accuracy
 * and writes the learning curves as SVG.
 */
import { parseArgs } from 'node:util';
import { mnistTensors, trainMnist } from '@brickml/datasets';
import {
  type BackendName,
  Conv2D,
  Dense,
  Dropout,
  Flatten,
  MaxPooling2D,
  Sequential,
  setSeed,
  useBackend,
} from 'brickml';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '2' },
    batchSize: { type: 'string', default: '128' },
    limit: { type: 'string' },
    seed: { type: 'string', default: '42' },
    svg: { type: 'string', default: 'out/mnist-cnn-history.svg' },
    target: { type: 'string' },
  },
});

const info = await useBackend(values.backend as BackendName);
setSeed(Number(values.seed));
console.log(`backend: ${info.name}${info.adapter ? ` (${info.adapter} adapter)` : ''}`);

const { xTrain, yTrain, xTest, yTest } = mnistTensors([28, 28, 1], {
  trainLimit: values.limit ? Number(values.limit) : undefined,
});

const model = new Sequential({
  name: 'mnist_cnn',
  inputShape: [28, 28, 1],
  layers: [
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' }),
    new Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
    new MaxPooling2D({ poolSize: 2 }),
    new Dropout({ rate: 0.25 }),
    new Flatten(),
    new Dense({ units: 128, activation: 'relu' }),
    new Dropout({ rate: 0.5 }),
    new Dense({ units: 10, activation: 'softmax' }),
  ],
});
model.summary();
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const accuracy = await trainMnist(
  model,
  { xTrain, yTrain, xTest, yTest },
  { epochs: Number(values.epochs), batchSize: Number(values.batchSize), svg: values.svg },
);
if (values.target && accuracy < Number(values.target)) process.exitCode = 1;
