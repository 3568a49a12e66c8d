/**
 * The lecture's recurrent example: a net that learns to sum a sequence, (1, 3, 7) → 11. Sequences of 1 to 8
 * digits 1..9 are padded with 0 to 8 steps; Masking marks the padding, so the recurrent brick skips those
 * steps (carrying its state) and reads each sequence at its own length. Two nets, MSE and Adam each:
 * Masking → SimpleRNN 16 tanh → Dense 1, and Masking → SimpleRNN of one linear unit → Dense 1, which can
 * hold the exact rule h_t = h_{t-1} + x_t. Prints each one's predictions and its test mean absolute error.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BackendName,
  Dense,
  input,
  Masking,
  Model,
  rng,
  SimpleRNN,
  type SimpleRNNConfig,
  type SymbolicTensor,
  setSeed,
  useBackend,
} from 'brickml';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '30' },
    examples: { type: 'string', default: '4000' },
    maxLength: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
  },
});
const epochs = Number(values.epochs);
const maxLength = Number(values.maxLength);

const info = await useBackend(values.backend as BackendName);
console.log(`backend: ${info.name}`);
setSeed(Number(values.seed));

/** n sequences of 1..maxLength digits 1..9, padded with 0 (the mask value) to maxLength, and their sums. */
function sequences(n: number): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const random = rng();
  const x = new Float32Array(n * maxLength);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const length = 1 + random.int(maxLength);
    for (let t = 0; t < length; t++) {
      const digit = 1 + random.int(9);
      x[i * maxLength + t] = digit;
      y[i] = (y[i] as number) + digit;
    }
  }
  return { x: tf.tensor3d(x, [n, maxLength, 1]), y: tf.tensor2d(y, [n, 1]) };
}

const train = sequences(Number(values.examples));
const test = sequences(1000);
// (1, 3, 7) padded as in training: the mask makes the trailing 0s no steps at all, so the answer is unchanged.
const examples = [
  [1, 3, 7],
  [1, 3, 7, 0, 0, 0, 0, 0],
  [9],
  [5, 5, 5, 5, 5, 5, 5, 5],
  [2, 7, 1, 8, 2, 8],
  Array(12).fill(9),
];

async function run(title: string, rnn: SimpleRNNConfig): Promise<Model> {
  // The time axis is free: the same model reads the padded batches and a single sequence of any length.
  const digits = input({ shape: [null, 1], name: 'digits' });
  const masked = new Masking({ maskValue: 0 }).apply(digits);
  // Without returnState the brick gives one tensor; apply's type also covers [y, ...states].
  const state = new SimpleRNN(rnn).apply(masked) as SymbolicTensor;
  const sum = new Dense({ units: 1, name: 'sum' }).apply(state);
  const model = new Model({ inputs: digits, outputs: sum, name: 'sum_sequence' });
  model.compile({ optimizer: { className: 'Adam', config: { learningRate: 0.01 } }, loss: 'meanSquaredError' });

  const start = performance.now();
  const history = await model.fit(train.x, train.y, { epochs, batchSize: 32, verbose: 0 });
  const seconds = (performance.now() - start) / 1000;
  const loss = history.history.loss?.at(-1) ?? Number.NaN;
  console.log(`\n${title}: ${epochs} epochs in ${seconds.toFixed(1)} s, final training loss (MSE) ${loss.toFixed(4)}`);

  for (const sequence of examples) {
    const x = tf.tensor3d(sequence, [1, sequence.length, 1]);
    const p = model.predict(x) as tf.Tensor;
    const [value = Number.NaN] = await p.data();
    tf.dispose([x, p]);
    const total = sequence.reduce((a, b) => a + b, 0);
    const note =
      sequence.length > maxLength
        ? ', longer than any training sequence'
        : sequence.includes(0)
          ? ', padded: 0 is masked'
          : '';
    console.log(`  (${sequence.join(', ')}) → ${value.toFixed(2)}  (sum ${total}${note})`);
  }
  const p = model.predict(test.x) as tf.Tensor;
  const mae = tf.tidy(() => tf.mean(tf.abs(tf.sub(p, test.y))));
  const [error = Number.NaN] = await mae.data();
  console.log(`  test mean absolute error: ${error.toFixed(3)} on ${test.y.shape[0]} sequences`);
  tf.dispose([p, mae]);
  return model;
}

(await run('SimpleRNN, 16 tanh units', { units: 16 })).dispose();
const linear = await run('SimpleRNN, 1 linear unit', { units: 1, activation: 'linear' });
// One unit, so every weight is a number: the exact rule is u = 1, b = 0, a·w = 1, c = 0.
const weights = linear.getWeights();
const [w = 0, u = 0, b = 0, a = 0, c = 0] = await Promise.all(weights.map(async (t) => (await t.data())[0]));
tf.dispose(weights);
const f = (v: number) => v.toFixed(3);
const signed = (v: number) => `${v < 0 ? '-' : '+'} ${f(Math.abs(v))}`;
console.log(
  `  learned: h_t = ${f(w)}·x_t + ${f(u)}·h_{t-1} ${signed(b)},  sum = ${f(a)}·h_T ${signed(c)}  (a·w = ${f(a * w)})`,
);
linear.dispose();
tf.dispose([train.x, train.y, test.x, test.y]);
