/**
 * Overfitting and the lecture's cures. The same small CNN trains on 500 MNIST images twice: plain, and
 * with L2 weight penalties, Dropout and augmentation (random shifts). Prints train and test accuracy of
 * each: the plain one fits its 500 images almost perfectly and generalizes worse; the regularized one
 * closes the gap.
 */
import { parseArgs } from 'node:util';
import { mnistTensors } from '@brickml/datasets';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BackendName,
  Conv2D,
  Dense,
  Dropout,
  Flatten,
  LambdaCallback,
  type Layer,
  MaxPooling2D,
  RandomTranslation,
  Sequential,
  setSeed,
  useBackend,
} from 'brickml';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '40' },
    train: { type: 'string', default: '500' },
    test: { type: 'string', default: '2000' },
  },
});
await useBackend(values.backend as BackendName);

const { xTrain, yTrain, xTest, yTest } = mnistTensors([28, 28, 1], {
  trainLimit: Number(values.train),
  testLimit: Number(values.test),
});

function smallCnn(cured: boolean): Layer[] {
  const l2 = cured ? { kernelRegularizer: { className: 'L2' as const, config: { l2: 1e-3 } } } : {};
  return [
    ...(cured ? [new RandomTranslation({ heightFactor: 0.1, widthFactor: 0.1 })] : []),
    new Conv2D({ filters: 16, kernelSize: 3, activation: 'relu', ...l2 }),
    new MaxPooling2D({ poolSize: 2 }),
    new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu', ...l2 }),
    new MaxPooling2D({ poolSize: 2 }),
    new Flatten(),
    ...(cured ? [new Dropout({ rate: 0.5 })] : []),
    new Dense({ units: 64, activation: 'relu', ...l2 }),
    ...(cured ? [new Dropout({ rate: 0.5 })] : []),
    new Dense({ units: 10, activation: 'softmax' }),
  ];
}

const results: string[] = [];
for (const cured of [false, true]) {
  setSeed(1);
  const model = new Sequential({ inputShape: [28, 28, 1], layers: smallCnn(cured) });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const epochs = Number(values.epochs);
  const started = performance.now();
  console.log(
    `${cured ? 'L2 + Dropout + augmentation' : 'no regularization'}: ${epochs} epochs on ${values.train} images`,
  );
  // One line every 5 epochs: the run takes minutes and should say where it is.
  const every5 = new LambdaCallback({
    onEpochEnd: (epoch, logs) => {
      if ((epoch + 1) % 5 !== 0 && epoch + 1 !== epochs) return;
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(
        `  epoch ${epoch + 1}/${epochs} - loss ${logs.loss?.toFixed(4)} - accuracy ${((logs.accuracy ?? 0) * 100).toFixed(1)}% - ${seconds}s`,
      );
    },
  });
  await model.fit(xTrain, yTrain, { epochs, batchSize: 32, verbose: 0, callbacks: [every5] });
  const train = await model.evaluate(xTrain, yTrain, { verbose: 0 });
  const test = await model.evaluate(xTest, yTest, { verbose: 0 });
  const name = cured ? 'L2 + Dropout + augmentation' : 'no regularization';
  const line = `${name.padEnd(28)} train accuracy ${((train.accuracy ?? 0) * 100).toFixed(1)}%  test accuracy ${((test.accuracy ?? 0) * 100).toFixed(1)}%  gap ${(((train.accuracy ?? 0) - (test.accuracy ?? 0)) * 100).toFixed(1)} points`;
  console.log(line);
  results.push(line);
  model.dispose();
}
tf.dispose([xTrain, yTrain, xTest, yTest]);
