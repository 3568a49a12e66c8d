/**
 * Keras 3's own optimizer tests (keras/src/optimizers/<name>_test.py), reproduced with their inputs,
 * steps and expected arrays:
 * - test_single_step: lr 0.5, one step of grads [1, 6, 7, 2] from [1, 2, 3, 4];
 * - test_correctness_with_golden: ten ones, one step of grads 0.01, then steps of grads
 *   [0.1, 0.2, ..., 1.0], the weights checked before each of the five later steps;
 * - test_weight_decay: three fresh optimizers at lr 1, weight decay 0.004, each one step of zero
 *   gradients on the same variable 2.0 → 2·0.996³.
 * Keras compares within rtol = atol = 1e-4 (single step) and 5e-4 (golden); its arrays are printed to
 * four decimals, so these tests ask for half a unit of the fourth decimal instead. One exception:
 * Keras' amsgrad rows are off its own formula by up to 1.3e-4 (the formula gives 0.99900, 0.99819,
 * 0.99730, 0.99637, 0.99541 in float64), so that case keeps Keras' tolerance; parity.test.ts checks
 * amsgrad against the formula itself.
 */
import { forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { AdamW } from './adamw.js';
import { Lion } from './lion.js';
import { Nadam } from './nadam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/** How far a value may be from the expected one `e`. */
type Tolerance = (e: number) => number;
/** Half a unit of the fourth decimal, and float32 rounding on top. */
const PRINTED: Tolerance = () => 5e-5 + 2e-6;
/** Keras' test_correctness_with_golden: assertAllClose with rtol = atol = 5e-4. */
const KERAS_GOLDEN: Tolerance = (e) => 5e-4 + 5e-4 * Math.abs(e);

function expectClose(actual: number[], expected: number[], label: string, tolerance = PRINTED) {
  expect(actual.length).toBe(expected.length);
  for (const [i, a] of actual.entries()) {
    const e = expected[i] as number;
    expect(Math.abs(a - e), `${label}, entry ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(tolerance(e));
  }
}

const tile = (column: number[]) => column.map((v) => new Array<number>(10).fill(v));

/** test_single_step's expected weights, by optimizer. */
const SINGLE_STEP: [string, () => Optimizer, number[]][] = [
  ['SGD', () => new SGD({ learningRate: 0.5 }), [0.5, -1, -0.5, 3]],
  ['RMSprop', () => new RMSprop({ learningRate: 0.5 }), [-0.5811, 0.4189, 1.4189, 2.4189]],
  ['Adam', () => new Adam({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
  ['AdamW', () => new AdamW({ learningRate: 0.5 }), [0.498, 1.496, 2.494, 3.492]],
  ['Adagrad', () => new Adagrad({ learningRate: 0.5 }), [0.5233, 1.5007, 2.5005, 3.5061]],
  ['Adadelta', () => new Adadelta({ learningRate: 0.5 }), [0.9993, 1.9993, 2.9993, 3.9993]],
  ['Adamax', () => new Adamax({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
  ['Nadam', () => new Nadam({ learningRate: 0.5 }), [0.4686, 1.4686, 2.4686, 3.4686]],
  ['Lion', () => new Lion({ learningRate: 0.5 }), [0.5, 1.5, 2.5, 3.5]],
];

/** test_correctness_with_golden's optimizer and expected rows, by optimizer. */
const GOLDEN: [string, () => Optimizer, number[][], Tolerance?][] = [
  [
    'SGD (nesterov, momentum 0)',
    () => new SGD({ nesterov: true }),
    [
      [0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999],
      [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
      [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
      [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
      [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599],
    ],
  ],
  ['RMSprop (centered)', () => new RMSprop({ centered: true }), tile([0.9967, 0.9933, 0.9908, 0.9885, 0.9864])],
  ['Adam (amsgrad)', () => new Adam({ amsgrad: true }), tile([0.999, 0.9982, 0.9974, 0.9965, 0.9955]), KERAS_GOLDEN],
  [
    'AdamW',
    () => new AdamW({ learningRate: 1, weightDecay: 0.5, epsilon: 2 }),
    [
      [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
      [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
      [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
      [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
      [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
    ],
  ],
  [
    'Adagrad',
    () => new Adagrad({ learningRate: 0.2, initialAccumulatorValue: 0.3, epsilon: 1e-6 }),
    [
      [0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
      [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
      [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
      [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
      [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825],
    ],
  ],
  [
    'Adadelta',
    () => new Adadelta({ learningRate: 1, rho: 0.8, epsilon: 1e-6 }),
    tile([0.9978, 0.9947, 0.9915, 0.9882, 0.9849]),
  ],
  [
    'Adamax',
    () => new Adamax({ learningRate: 0.2, beta1: 0.85, beta2: 0.95, epsilon: 1e-6 }),
    [
      [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
      [0.6827, 0.6873, 0.6888, 0.6896, 0.6901, 0.6904, 0.6906, 0.6908, 0.6909, 0.691],
      [0.5333, 0.5407, 0.5431, 0.5444, 0.5451, 0.5456, 0.546, 0.5462, 0.5464, 0.5466],
      [0.368, 0.3773, 0.3804, 0.382, 0.3829, 0.3835, 0.384, 0.3843, 0.3846, 0.3848],
      [0.1933, 0.204, 0.2076, 0.2094, 0.2105, 0.2112, 0.2117, 0.2121, 0.2124, 0.2126],
    ],
  ],
  [
    'Nadam',
    () => new Nadam({ learningRate: 0.5, beta1: 0.5, beta2: 0.67, epsilon: 1e-5 }),
    [
      [0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
      [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
      [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
      [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
      [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454],
    ],
  ],
  ['Lion', () => new Lion(), tile([0.999, 0.998, 0.997, 0.996, 0.995])],
];

/** The weights after each step, from `start`, one list per step of `grads`. */
async function trajectory(opt: Optimizer, start: number[], grads: number[][]): Promise<number[][]> {
  const w = tf.variable(tf.tensor1d(start));
  const rows: number[][] = [];
  for (const g of grads) {
    const gt = tf.tensor1d(g);
    opt.apply([w], [gt]);
    gt.dispose();
    rows.push(Array.from(await w.data()));
  }
  w.dispose();
  opt.dispose();
  return rows;
}

const FIRST = new Array<number>(10).fill(0.01);
const LATER = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);

describe('Keras 3 golden values', () => {
  forEachBackend(() => {
    for (const [name, make, expected] of SINGLE_STEP) {
      test(`${name}: test_single_step`, async () => {
        const [after] = await trajectory(make(), [1, 2, 3, 4], [[1, 6, 7, 2]]);
        expectClose(after as number[], expected, name);
      });
    }

    for (const [name, make, golden, tolerance] of GOLDEN) {
      test(`${name}: test_correctness_with_golden`, async () => {
        // Keras checks golden[i] after the first step and i of the later ones (the sixth step is unchecked).
        const rows = await trajectory(make(), new Array(10).fill(1), [FIRST, LATER, LATER, LATER, LATER]);
        for (const [i, row] of golden.entries()) expectClose(rows[i] as number[], row, `${name}, row ${i}`, tolerance);
      });
    }
  });

  for (const [name, make] of SINGLE_STEP) {
    test(`${name}: test_weight_decay (three optimizers, one zero-gradient step each, give 1.9760959)`, async () => {
      const w = tf.variable(tf.scalar(2));
      const zero = tf.scalar(0);
      for (let k = 0; k < 3; k++) {
        const opt = optimizerWith(make(), { learningRate: 1, weightDecay: 0.004 });
        opt.apply([w], [zero]);
        opt.dispose();
      }
      // Keras: assertAlmostEqual(var1, 1.9760959, decimal=6).
      expect(Math.abs(((await w.data())[0] as number) - 1.9760959)).toBeLessThan(5e-7);
      tf.dispose([w, zero]);
    });
  }
});

/** The same optimizer class with some fields replaced, built from its spec. */
function optimizerWith(base: Optimizer, fields: Record<string, unknown>): Optimizer {
  const Cls = base.constructor as new (config: Record<string, unknown>) => Optimizer;
  const config = { ...base.config, ...fields };
  base.dispose();
  return new Cls(config);
}
