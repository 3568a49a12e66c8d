import { forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

const STEPS = 6;
const SHAPE = [2, 3];
const W0 = [0.5, -1.2, 2, 0.3, -0.7, 1.1];
/** A gradient that changes every step and never vanishes. */
const grad = (k: number) => W0.map((_, i) => Math.sin(1.3 * i + 0.7 * k + 0.2) * (1 + i / 3));

/** Keras 3's Adam (with decoupled weight decay) in float64. */
function kerasAdam({ lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7, amsgrad = false, wd = 0 }) {
  const w = [...W0];
  const [m, v, vHat] = [w.map(() => 0), w.map(() => 0), w.map(() => 0)];
  for (let k = 0; k < STEPS; k++) {
    const g = grad(k);
    const t = k + 1;
    const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    w.forEach((_, i) => {
      const gi = g[i] as number;
      w[i] = (w[i] as number) * (1 - lr * wd);
      m[i] = (m[i] as number) + (1 - b1) * (gi - (m[i] as number));
      v[i] = (v[i] as number) + (1 - b2) * (gi * gi - (v[i] as number));
      vHat[i] = Math.max(vHat[i] as number, v[i] as number);
      w[i] = (w[i] as number) - (lrT * (m[i] as number)) / (Math.sqrt((amsgrad ? vHat : v)[i] as number) + eps);
    });
  }
  return w;
}

/** Keras 3's RMSprop in float64. */
function kerasRMSprop({ lr = 0.001, rho = 0.9, momentum = 0, eps = 1e-7, centered = false }) {
  const w = [...W0];
  const [s, u, gBar] = [w.map(() => 0), w.map(() => 0), w.map(() => 0)];
  for (let k = 0; k < STEPS; k++) {
    const g = grad(k);
    w.forEach((_, i) => {
      const gi = g[i] as number;
      s[i] = rho * (s[i] as number) + (1 - rho) * gi * gi;
      gBar[i] = rho * (gBar[i] as number) + (1 - rho) * gi;
      const d = (s[i] as number) + eps - (centered ? (gBar[i] as number) ** 2 : 0);
      u[i] = momentum * (u[i] as number) + (lr * gi) / Math.sqrt(d);
      w[i] = (w[i] as number) - (u[i] as number);
    });
  }
  return w;
}

async function run(step: (w: tf.Variable, g: tf.Tensor) => void): Promise<number[]> {
  const w = tf.variable(tf.tensor(W0, SHAPE));
  for (let k = 0; k < STEPS; k++) {
    const g = tf.tensor(grad(k), SHAPE);
    step(w, g);
    g.dispose();
  }
  const out = Array.from(await w.data());
  w.dispose();
  return out;
}

async function ours(opt: Optimizer): Promise<number[]> {
  const out = await run((w, g) => opt.apply([w], [g]));
  opt.dispose();
  return out;
}

async function tfjs(opt: tf.Optimizer): Promise<number[]> {
  const out = await run((w, g) => opt.applyGradients({ [w.name]: g }));
  opt.dispose();
  return out;
}

// tfjs puts Adam's ε after the bias correction and subtracts centered RMSprop's ε: those cases compare
// with ε → 0 against tfjs, and with a large ε (so that its placement shows) against the Keras formulas above.
const cases: [string, () => Optimizer, () => Promise<number[]> | number[]][] = [
  ['SGD', () => new SGD({ learningRate: 0.1 }), () => tfjs(tf.train.sgd(0.1))],
  ['SGD momentum', () => new SGD({ learningRate: 0.1, momentum: 0.9 }), () => tfjs(tf.train.momentum(0.1, 0.9))],
  [
    'SGD Nesterov',
    () => new SGD({ learningRate: 0.1, momentum: 0.8, nesterov: true }),
    () => tfjs(tf.train.momentum(0.1, 0.8, true)),
  ],
  ['RMSprop', () => new RMSprop({ learningRate: 0.01, epsilon: 0.1 }), () => tfjs(tf.train.rmsprop(0.01, 0.9, 0, 0.1))],
  [
    'RMSprop momentum',
    () => new RMSprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5 }),
    () => tfjs(tf.train.rmsprop(0.01, 0.8, 0.5, 1e-7)),
  ],
  [
    'RMSprop centered, ε → 0',
    () => new RMSprop({ learningRate: 0.01, centered: true, epsilon: 1e-30 }),
    () => tfjs(tf.train.rmsprop(0.01, 0.9, 0, 1e-30, true)),
  ],
  [
    'RMSprop centered with momentum (Keras formula)',
    () => new RMSprop({ learningRate: 0.01, centered: true, momentum: 0.5, epsilon: 0.1 }),
    () => kerasRMSprop({ lr: 0.01, centered: true, momentum: 0.5, eps: 0.1 }),
  ],
  [
    'Adam, ε → 0',
    () => new Adam({ learningRate: 0.05, beta1: 0.8, beta2: 0.95, epsilon: 1e-30 }),
    () => tfjs(tf.train.adam(0.05, 0.8, 0.95, 1e-30)),
  ],
  [
    'Adam (Keras formula)',
    () => new Adam({ learningRate: 0.01, epsilon: 0.1 }),
    () => kerasAdam({ lr: 0.01, eps: 0.1 }),
  ],
  [
    'Adam AMSGrad (Keras formula)',
    () => new Adam({ learningRate: 0.02, beta2: 0.9, amsgrad: true, epsilon: 0.1 }),
    () => kerasAdam({ lr: 0.02, b2: 0.9, amsgrad: true, eps: 0.1 }),
  ],
  [
    'AdamW (Keras formula)',
    () => new AdamW({ learningRate: 0.05, weightDecay: 0.1, epsilon: 0.1 }),
    () => kerasAdam({ lr: 0.05, wd: 0.1, eps: 0.1 }),
  ],
];

describe(`optimizers over ${STEPS} steps`, () => {
  forEachBackend(() => {
    for (const [name, make, reference] of cases) {
      test(`${name} matches its reference`, async () => {
        const actual = await ours(make());
        const expected = await reference();
        for (const [i, a] of actual.entries()) {
          const e = expected[i] as number;
          expect(Math.abs(a - e), `entry ${i}: ${a} vs ${e}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(e)));
        }
      });
    }
  });
});
