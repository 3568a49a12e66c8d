/**
 * A multi-task net on the real MNIST files, wired with the functional API: one shared trunk (Dense 256 relu,
 * Dropout 0.2) and two heads, the digit (Dense 10 softmax, categorical cross-entropy) and "is the digit
 * >= 5" (Dense 1 sigmoid, binary cross-entropy), trained together with Adam, batch 128. Then the same
 * trunk with each head alone, same epochs, same seed, and a table of each head's test accuracy both ways.
 */
import { parseArgs } from 'node:util';
import { epochTimer, formatSeconds, mnistTensors } from '@brickml/datasets';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BackendName,
  Dense,
  Dropout,
  input,
  type Logs,
  Model,
  type ModelData,
  type SymbolicTensor,
  setSeed,
  useBackend,
} from 'brickml';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '5' },
    batchSize: { type: 'string', default: '128' },
    limit: { type: 'string' },
    seed: { type: 'string', default: '42' },
    bigWeight: { type: 'string', default: '1' },
  },
});
const epochs = Number(values.epochs);
const seed = Number(values.seed);

const info = await useBackend(values.backend as BackendName);
console.log(`backend: ${info.name}${info.adapter ? ` (${info.adapter} adapter)` : ''}`);

const { xTrain, yTrain, xTest, yTest } = mnistTensors([784], {
  trainLimit: values.limit ? Number(values.limit) : undefined,
});
/** 1 where the one-hot row's digit is 5 or more, as a [n, 1] column for the sigmoid head. */
const isBig = (oneHot: tf.Tensor2D) =>
  tf.tidy(() => tf.reshape(tf.cast(tf.greaterEqual(tf.argMax(oneHot, 1), 5), 'float32'), [-1, 1]));
const train = { digit: yTrain, big: isBig(yTrain) };
const test = { digit: yTest, big: isBig(yTest) };

type Head = 'digit' | 'big';
const losses = { digit: 'categoricalCrossentropy', big: 'binaryCrossentropy' } as const;

/**
 * The trunk and the heads asked for. Seeded, and both heads always built, so every model draws the same
 * initial weights for the trunk and each head, then the same shuffles and dropout masks; a head left out
 * is freed.
 */
function build(heads: Head[]): Model {
  setSeed(seed);
  const image = input({ shape: [784], name: 'image' });
  let h: SymbolicTensor = new Dense({ units: 256, activation: 'relu', name: 'trunk' }).apply(image);
  h = new Dropout({ rate: 0.2, name: 'trunk_dropout' }).apply(h);
  const bricks = {
    digit: new Dense({ units: 10, activation: 'softmax', name: 'digit' }),
    big: new Dense({ units: 1, activation: 'sigmoid', name: 'big' }),
  };
  const outputs = { digit: bricks.digit.apply(h), big: bricks.big.apply(h) };
  for (const k of ['digit', 'big'] as const) if (!heads.includes(k)) bricks[k].dispose();
  const name = heads.length > 1 ? 'multi_task' : `${heads[0]}_alone`;
  return new Model({ inputs: image, outputs: heads.map((k) => outputs[k]), name });
}

/** Fits on the training digits, then evaluates on the test digits; disposes the model. */
async function trainAndTest(model: Model, y: ModelData, yTest: ModelData): Promise<{ logs: Logs; seconds: number[] }> {
  const timer = epochTimer();
  console.log(`\n${model.name}:`);
  await model.fit(xTrain, y, { epochs, batchSize: Number(values.batchSize), verbose: 1, callbacks: [timer] });
  const logs = await model.evaluate(xTest, yTest);
  model.dispose();
  return { logs, seconds: timer.seconds };
}

const multi = build(['digit', 'big']);
multi.summary();
multi.compile({
  optimizer: 'adam',
  loss: losses,
  lossWeights: { digit: 1, big: Number(values.bigWeight) },
  metrics: { digit: ['accuracy'], big: ['accuracy'] },
});
const both = await trainAndTest(multi, train, test);
const alone = {} as Record<Head, { logs: Logs; seconds: number[] }>;
for (const head of ['digit', 'big'] as const) {
  const model = build([head]);
  model.compile({ optimizer: 'adam', loss: losses[head], metrics: ['accuracy'] });
  alone[head] = await trainAndTest(model, train[head], test[head]);
}

const pct = (a: number | undefined) => (a === undefined ? '-' : `${(a * 100).toFixed(2)}%`);
const rows = [
  ['test accuracy', 'multi-task', 'alone'],
  ['digit (10 classes)', pct(both.logs.digit_accuracy), pct(alone.digit.logs.accuracy)],
  ['big (digit >= 5)', pct(both.logs.big_accuracy), pct(alone.big.logs.accuracy)],
];
console.log(`\n${epochs} epochs each, seed ${seed}, backend ${info.name}`);
for (const r of rows) console.log(`${r[0]?.padEnd(20)}${r[1]?.padStart(12)}${r[2]?.padStart(12)}`);
console.log(`time per epoch, multi-task: ${formatSeconds(both.seconds)}`);
console.log(`time per epoch, digit alone: ${formatSeconds(alone.digit.seconds)}`);
console.log(`time per epoch, big alone: ${formatSeconds(alone.big.seconds)}`);
tf.dispose([xTrain, yTrain, xTest, yTest, train.big, test.big]);
