/**
 * The lecture's XOR story: no line separates XOR's classes, so a linear model (a single Dense unit
 * with a sigmoid) cannot get all four points right; one hidden layer of sigmoid units can.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, Dense, Sequential, setSeed, useBackend } from 'brickml';

const { values } = parseArgs({
  options: { backend: { type: 'string', default: 'cpu' }, epochs: { type: 'string', default: '2000' } },
});
await useBackend(values.backend as BackendName);
setSeed(3);

const x = tf.tensor2d([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const y = tf.tensor2d([[0], [1], [1], [0]]);
const epochs = Number(values.epochs);

async function train(name: string, model: Sequential): Promise<number> {
  model.compile({
    optimizer: { className: 'SGD', config: { learningRate: 1 } },
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  await model.fit(x, y, { epochs, batchSize: 4, verbose: 0 });
  const { accuracy = 0 } = await model.evaluate(x, y, { verbose: 0 });
  const p = model.predict(x);
  const probabilities = Array.from(await p.data(), (v) => v.toFixed(2));
  p.dispose();
  console.log(`${name}: accuracy ${(accuracy * 100).toFixed(0)}%, outputs for 00 01 10 11: ${probabilities.join(' ')}`);
  model.dispose();
  return accuracy;
}

const linear = await train(
  'linear model (Dense 1 sigmoid)',
  new Sequential({ inputShape: [2], layers: [new Dense({ units: 1, activation: 'sigmoid' })] }),
);
const perceptron = await train(
  'perceptron (Dense 4 sigmoid, Dense 1 sigmoid)',
  new Sequential({
    inputShape: [2],
    layers: [new Dense({ units: 4, activation: 'sigmoid' }), new Dense({ units: 1, activation: 'sigmoid' })],
  }),
);
tf.dispose([x, y]);
console.log(linear < 1 && perceptron === 1 ? 'XOR needs a hidden layer: shown.' : 'unexpected result');
process.exitCode = linear < 1 && perceptron === 1 ? 0 : 1;
