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

/**
 * A Keras 3 update in float64, entry by entry: `step` maps (w, g, the entry's slots, t) to the new w,
 * updating the slots in place.
 */
function keras<S>(slots: () => S, step: (w: number, g: number, s: S, t: number) => number): number[] {
  const w = [...W0];
  const state = w.map(slots);
  for (let k = 0; k < STEPS; k++) {
    const g = grad(k);
    w.forEach((wi, i) => {
      w[i] = step(wi, g[i] as number, state[i] as S, k + 1);
    });
  }
  return w;
}

const kerasAdagrad = ({ lr = 0.001, init = 0.1, eps = 1e-7 }) =>
  keras(
    () => ({ a: init }),
    (w, g, s) => {
      s.a += g * g;
      return w - (lr * g) / Math.sqrt(s.a + eps);
    },
  );

const kerasAdadelta = ({ lr = 0.001, rho = 0.95, eps = 1e-7 }) =>
  keras(
    () => ({ a: 0, d: 0 }),
    (w, g, s) => {
      s.a = rho * s.a + (1 - rho) * g * g;
      const delta = (-g * Math.sqrt(s.d + eps)) / Math.sqrt(s.a + eps);
      s.d = rho * s.d + (1 - rho) * delta * delta;
      return w + lr * delta;
    },
  );

const kerasNadam = ({ lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-7 }) => {
  const mu = (t: number) => b1 * (1 - 0.5 * 0.96 ** t);
  const product = (t: number) => Array.from({ length: t }, (_, i) => mu(i + 1)).reduce((p, x) => p * x, 1);
  return keras(
    () => ({ m: 0, v: 0 }),
    (w, g, s, t) => {
      s.m += (1 - b1) * (g - s.m);
      s.v += (1 - b2) * (g * g - s.v);
      const mHat = (mu(t + 1) * s.m) / (1 - product(t) * mu(t + 1)) + ((1 - mu(t)) * g) / (1 - product(t));
      const vHat = s.v / (1 - b2 ** t);
      return w - (lr * mHat) / (Math.sqrt(vHat) + eps);
    },
  );
};

const kerasLion = ({ lr = 0.001, b1 = 0.9, b2 = 0.99, wd = 0 }) =>
  keras(
    () => ({ m: 0 }),
    (w, g, s) => {
      const next = w * (1 - lr * wd) - lr * Math.sign(b1 * s.m + (1 - b1) * g);
      s.m = b2 * s.m + (1 - b2) * g;
      return next;
    },
  );

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
// tfjs' adagrad takes no ε (it uses the backend's), so it is compared at that ε. tfjs' adadelta divides by
// the accumulator before this step's g² (Keras, after), and tfjs has no Nadam or Lion: those compare with
// the Keras formulas only.
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
    'Adagrad',
    () => new Adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.05, epsilon: tf.backend().epsilon() }),
    () => tfjs(tf.train.adagrad(0.1, 0.05)),
  ],
  [
    'Adagrad (Keras formula)',
    () => new Adagrad({ learningRate: 0.1, epsilon: 0.1 }),
    () => kerasAdagrad({ lr: 0.1, eps: 0.1 }),
  ],
  [
    'Adadelta (Keras formula)',
    () => new Adadelta({ learningRate: 1, rho: 0.8, epsilon: 1e-3 }),
    () => kerasAdadelta({ lr: 1, rho: 0.8, eps: 1e-3 }),
  ],
  [
    'Adamax',
    () => new Adamax({ learningRate: 0.05, beta1: 0.8, beta2: 0.95, epsilon: 0.1 }),
    () => tfjs(tf.train.adamax(0.05, 0.8, 0.95, 0.1)),
  ],
  [
    'Nadam (Keras formula)',
    () => new Nadam({ learningRate: 0.05, beta1: 0.8, beta2: 0.95, epsilon: 0.1 }),
    () => kerasNadam({ lr: 0.05, b1: 0.8, b2: 0.95, eps: 0.1 }),
  ],
  [
    'Lion with weight decay (Keras formula)',
    () => new Lion({ learningRate: 0.05, beta1: 0.8, beta2: 0.95, weightDecay: 0.1 }),
    () => kerasLion({ lr: 0.05, b1: 0.8, b2: 0.95, wd: 0.1 }),
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
