/**
 * Keras' addition_rnn: a sequence-to-sequence net that learns to add, "535+61" → "596", from the characters
 * alone. Questions of two numbers of up to 3 digits are padded with spaces to 7 characters (and reversed,
 * as Keras does), answers to 4; each character is one-hot over '0123456789+ '. LSTM 128 encoder →
 * RepeatVector 4 → LSTM 128 decoder (returnSequences) → TimeDistributed(Dense 12 softmax); Adam,
 * categorical cross-entropy, batch 32, 10% held out for validation. Prints per epoch the validation
 * accuracy per character (Keras' number) and per whole answer, and at the end a few questions answered.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BackendName,
  Dense,
  LambdaCallback,
  LSTM,
  RepeatVector,
  rng,
  Sequential,
  setSeed,
  TimeDistributed,
  useBackend,
} from 'brickml';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    epochs: { type: 'string', default: '30' },
    examples: { type: 'string', default: '50000' },
    seed: { type: 'string', default: '42' },
    'no-reverse': { type: 'boolean', default: false },
  },
});
const epochs = Number(values.epochs);
const reverse = !values['no-reverse'];

const DIGITS = 3;
const MAXLEN = DIGITS + 1 + DIGITS; // "999+999"
const ANSWER = DIGITS + 1; // "1998"
const CHARS = '0123456789+ ';

const info = await useBackend(values.backend as BackendName);
console.log(`backend: ${info.name}`);
setSeed(Number(values.seed));
const random = rng();

/** A number of 1 to DIGITS random digits, as Keras draws it. */
function number(): number {
  let s = '';
  const length = 1 + random.int(DIGITS);
  for (let i = 0; i < length; i++) s += CHARS[random.int(10)];
  return Number(s);
}

/** n distinct questions (a+b and b+a count once, as in Keras) with their answers, padded with spaces. */
function questions(n: number): { questions: string[]; answers: string[] } {
  const seen = new Set<string>();
  const qs: string[] = [];
  const as: string[] = [];
  while (qs.length < n) {
    const a = number();
    const b = number();
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    qs.push(`${a}+${b}`.padEnd(MAXLEN));
    as.push(String(a + b).padEnd(ANSWER));
  }
  return { questions: qs, answers: as };
}

/** Strings of equal length as one-hot rows: [n, length, 12]. */
function encode(strings: readonly string[], length: number): tf.Tensor3D {
  const ids = new Int32Array(strings.length * length);
  strings.forEach((s, i) => {
    for (let t = 0; t < length; t++) ids[i * length + t] = CHARS.indexOf(s[t] as string);
  });
  // Made int32, then cast: tfjs 4.22's wasm OneHot writes a float32 result as integer bits.
  return tf.tidy(() =>
    tf.reshape(tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), CHARS.length), 'float32'), [
      strings.length,
      length,
      CHARS.length,
    ]),
  );
}

/** The most likely character at each step: [n, length, 12] → n strings. */
async function decode(p: tf.Tensor): Promise<string[]> {
  const [n, length] = p.shape as [number, number, number];
  const best = tf.argMax(p, -1);
  const ids = await best.data();
  best.dispose();
  return Array.from({ length: n }, (_, i) =>
    Array.from(ids.subarray(i * length, (i + 1) * length), (id) => CHARS[id]).join(''),
  );
}

console.log('Generating data...');
const data = questions(Number(values.examples));
const shown = data.questions.map((q) => (reverse ? [...q].reverse().join('') : q));
const split = Math.floor(data.questions.length * 0.9);
const x = encode(shown, MAXLEN);
const y = encode(data.answers, ANSWER);
const xTrain = tf.slice(x, 0, split);
const yTrain = tf.slice(y, 0, split);
const xVal = tf.slice(x, split);
const yVal = tf.slice(y, split);
const valQuestions = data.questions.slice(split);
const valAnswers = data.answers.slice(split);
tf.dispose([x, y]);
console.log(`Training data: ${split} questions; validation: ${valQuestions.length}; reversed input: ${reverse}`);

const model = new Sequential({
  name: 'addition_rnn',
  inputShape: [MAXLEN, CHARS.length],
  layers: [
    new LSTM({ units: 128 }),
    new RepeatVector({ n: ANSWER }),
    new LSTM({ units: 128, returnSequences: true }),
    new TimeDistributed({ layer: new Dense({ units: CHARS.length, activation: 'softmax' }) }),
  ],
});
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
model.summary();

/** Fraction of validation questions whose whole answer is right. */
async function answerAccuracy(): Promise<number> {
  const p = model.predict(xVal, { batchSize: 500 }) as tf.Tensor;
  const guesses = await decode(p);
  p.dispose();
  return guesses.filter((g, i) => g === valAnswers[i]).length / guesses.length;
}

let start = 0;
const timing = new LambdaCallback({
  onEpochBegin: () => {
    start = performance.now();
  },
  onEpochEnd: async (epoch, logs) => {
    const seconds = (performance.now() - start) / 1000;
    const whole = await answerAccuracy();
    const pct = (v = 0) => `${(v * 100).toFixed(2)}%`;
    console.log(
      `epoch ${epoch + 1}/${epochs}: ${seconds.toFixed(0)} s, loss ${logs.loss?.toFixed(4)}, ` +
        `val_loss ${logs.val_loss?.toFixed(4)}, val_accuracy ${pct(logs.val_accuracy)} per character, ` +
        `${pct(whole)} of whole answers`,
    );
  },
});
await model.fit(xTrain, yTrain, {
  epochs,
  batchSize: 32,
  validationData: [xVal, yVal],
  callbacks: [timing],
  verbose: 0,
});

const sample = Array.from(random.permutation(valQuestions.length).subarray(0, 10));
const xs = tf.gather(xVal, sample);
const p = model.predict(xs) as tf.Tensor;
const guesses = await decode(p);
tf.dispose([xs, p]);
sample.forEach((i, k) => {
  const answer = valAnswers[i] as string;
  const guess = guesses[k] as string;
  console.log(`Q ${valQuestions[i]}  T ${answer}  ${guess === answer ? '✓' : '✗'} ${guess}`);
});

tf.dispose([xTrain, yTrain, xVal, yVal]);
model.dispose();
