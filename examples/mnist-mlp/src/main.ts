/**
 * Keras' mnist_mlp on the real MNIST files: Dense 512 relu, Dropout 0.2, Dense 512 relu, Dropout 0.2,
 * Dense 10 softmax; RMSprop; batch 128. Prints test accuracy and writes the learning curves as SVG.
 */
import { parseArgs } from 'node:util';
import { mnistTensors, trainMnist } from '@brickml/datasets';
import { type BackendName, Dense, Dropout, Sequential, setSeed, useBackend } from 'brickml';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '3' },
    batchSize: { type: 'string', default: '128' },
    limit: { type: 'string' },
    seed: { type: 'string', default: '42' },
    svg: { type: 'string', default: 'out/mnist-mlp-history.svg' },
    target: { type: 'string' },
  },
});

const info = await useBackend(values.backend as BackendName);
setSeed(Number(values.seed));
console.log(`backend: ${info.name}${info.adapter ? ` (${info.adapter} adapter)` : ''}`);

const { xTrain, yTrain, xTest, yTest } = mnistTensors([784], {
  trainLimit: values.limit ? Number(values.limit) : undefined,
});

const model = new Sequential({
  name: 'mnist_mlp',
  inputShape: [784],
  layers: [
    new Dense({ units: 512, activation: 'relu' }),
    new Dropout({ rate: 0.2 }),
    new Dense({ units: 512, activation: 'relu' }),
    new Dropout({ rate: 0.2 }),
    new Dense({ units: 10, activation: 'softmax' }),
  ],
});
model.summary();
model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

const accuracy = await trainMnist(
  model,
  { xTrain, yTrain, xTest, yTest },
  { epochs: Number(values.epochs), batchSize: Number(values.batchSize), svg: values.svg },
);
if (values.target && accuracy < Number(values.target)) process.exitCode = 1;
