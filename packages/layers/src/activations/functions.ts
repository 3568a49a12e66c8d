/**
 * Activation functions y = f(z), Keras 3's fixed ones, with their derivatives written from z and y:
 * relu' = [z>0]; relu6' = [0<z<6]; leakyRelu' = z>0 ? 1 : 0.2; elu' = celu' = z>0 ? 1 : y+1;
 * selu' = λ·(z>0 ? 1 : α·eᶻ); sigmoid' = y(1-y); tanh' = 1-y²; exponential' = y; softplus' = σ(z);
 * logSigmoid' = σ(-z); softsign' = 1/(1+|z|)²; swish' = σ(z)(1 + z(1-σ(z))); gelu' = Φ(z) + z·φ(z);
 * mish' = t + z(1-t²)σ(z) with t = tanh(softplus(z)); squareplus' = (1 + z/√(z²+4))/2;
 * hardSigmoid' = [-3<z<3]/6; hardSilu' = hardSigmoid(z) + z·[-3<z<3]/6; hardTanh' = [|z|<1];
 * sparseSigmoid' = [|z|<1]/2; sparsePlus' = clip((z+1)/2, 0, 1); tanhShrink' = tanh²(z);
 * softShrink' = hardShrink' = [|z|>0.5]. Over the last axis: softmax: dz = y ⊙ (dy - Σ dy⊙y);
 * logSoftmax: dz = dy - eʸ·Σ dy; glu (z = [a, b], y = a⊙σ(b)): da = dy⊙σ(b), db = dy⊙a⊙σ(b)(1-σ(b));
 * sparsemax (S = {y>0}): dz = [S] ⊙ (dy - Σ_S dy / |S|).
 */
import { BrickError, formula as F, type Formula, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { hardSigmoidKeras2 } from './hard-sigmoid-keras2.js';

/**
 * Every name Keras 3's `activations.get` accepts for a fixed function (keras/src/activations/__init__.py),
 * in camelCase and, where it differs, Keras' snake_case. `threshold` is left out: it has no defaults for
 * its threshold and value, so Keras cannot apply it by name either.
 */
export const ActivationName = z.enum([
  'linear',
  'relu',
  'relu6',
  'leakyRelu',
  'leaky_relu',
  'elu',
  'selu',
  'celu',
  'sigmoid',
  'hardSigmoid',
  'hard_sigmoid',
  'hardSigmoidKeras2',
  'sparseSigmoid',
  'sparse_sigmoid',
  'logSigmoid',
  'log_sigmoid',
  'tanh',
  'hardTanh',
  'hard_tanh',
  'tanhShrink',
  'tanh_shrink',
  'softShrink',
  'soft_shrink',
  'hardShrink',
  'hard_shrink',
  'softmax',
  'logSoftmax',
  'log_softmax',
  'sparsemax',
  'softplus',
  'sparsePlus',
  'sparse_plus',
  'squareplus',
  'softsign',
  'swish',
  'silu',
  'hardSilu',
  'hard_silu',
  'hardSwish',
  'hard_swish',
  'gelu',
  'mish',
  'exponential',
  'glu',
]);
export type ActivationName = z.infer<typeof ActivationName>;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** Keras 3's `leaky_relu` function default (the LeakyReLU brick's default is 0.3). */
const LEAKY_SLOPE = 0.2;
/** Keras' soft_shrink and hard_shrink default threshold. */
const SHRINK = 0.5;
/** Keras' squareplus default smoothness b. */
const SQUAREPLUS_B = 4;

/** [lo < z < hi] as float32. */
const inside = (z: tf.Tensor, lo: number, hi: number) =>
  tf.cast(tf.logicalAnd(tf.greater(z, lo), tf.less(z, hi)), 'float32');
/** [|z| > t] as float32. */
const outside = (z: tf.Tensor, t: number) => tf.cast(tf.greater(tf.abs(z), t), 'float32');
const hardSigmoid = (z: tf.Tensor) => tf.div(tf.relu6(tf.add(z, 3)), 6);
const lastAxis = (t: tf.Tensor) => t.rank - 1;

/** The threshold τ of sparsemax, τ = max_k (Σ_{j≤k} z_(j) - 1)/k over the values sorted down (keepDims). */
function sparsemaxTau(z: tf.Tensor): tf.Tensor {
  const n = z.shape[lastAxis(z)] as number;
  const sorted = tf.topk(z, n).values;
  const k = tf.range(1, n + 1, 1, 'float32');
  return tf.max(tf.div(tf.sub(tf.cumsum(sorted, lastAxis(sorted)), 1), k), -1, true);
}

interface Fn {
  f(z: tf.Tensor): tf.Tensor;
  /** dz from dy, z and y = f(z). */
  df(dy: tf.Tensor, z: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /** The derivative as a formula of dy and y alone, where it has one: one kernel on webgpu and wasm. */
  dfOfY?(dy: Formula, y: Formula): Formula;
}

/** An activation whose dz is a formula of dy and y, run as one kernel where brickml has its own. */
function fromY(f: Fn['f'], dfOfY: NonNullable<Fn['dfOfY']>): Fn {
  const formula = dfOfY(F.inputOf(0), F.inputOf(1));
  return { f, df: (dy, _z, y) => F.runFormula(formula, [dy, y]), dfOfY };
}

const swish: Fn = {
  f: (z) => tf.mul(z, tf.sigmoid(z)),
  df: (dy, z) => {
    const s = tf.sigmoid(z);
    return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s)))));
  },
};

const hardSilu: Fn = {
  f: (z) => tf.mul(z, hardSigmoid(z)),
  df: (dy, z) => tf.mul(dy, tf.add(hardSigmoid(z), tf.div(tf.mul(z, inside(z, -3, 3)), 6))),
};

// celu with Keras' default alpha 1 is elu: max(z, 0) + expm1(min(z, 0)).
const elu: Fn = {
  f: (z) => tf.elu(z),
  df: (dy, z, y) => tf.mul(dy, tf.where(tf.greater(z, 0), tf.onesLike(z), tf.add(y, 1))),
};

/** The functions by camelCase name; synonyms share one entry. */
const FUNCTIONS = {
  linear: { f: (z) => tf.clone(z), df: (dy) => tf.clone(dy) },
  // relu' = [z > 0] = [y > 0]: one kernel from y (the fused Dense and Conv2D keep y alone).
  relu: fromY(
    (z) => tf.relu(z),
    (dy, y) => F.mul(dy, F.step(y)),
  ),
  relu6: { f: (z) => tf.relu6(z), df: (dy, z) => tf.mul(dy, inside(z, 0, 6)) },
  leakyRelu: {
    f: (z) => tf.leakyRelu(z, LEAKY_SLOPE),
    df: (dy, z) => tf.mul(dy, tf.step(z, LEAKY_SLOPE)),
  },
  elu,
  celu: elu,
  selu: {
    f: (z) => tf.selu(z),
    df: (dy, z) =>
      tf.mul(dy, tf.where(tf.greater(z, 0), tf.fill(z.shape, SELU_SCALE), tf.mul(SELU_SCALE * SELU_ALPHA, tf.exp(z)))),
  },
  sigmoid: fromY(tf.sigmoid, (dy, y) => F.mul(dy, F.mul(y, F.sub(F.constant(1), y)))),
  // Keras 3's hard_sigmoid: relu6(z + 3)/6 (Keras 2 and tfjs-layers use clip(0.2z + 0.5, 0, 1)).
  hardSigmoid: { f: hardSigmoid, df: (dy, z) => tf.mul(dy, tf.div(inside(z, -3, 3), 6)) },
  hardSigmoidKeras2,
  sparseSigmoid: {
    f: (z) => tf.clipByValue(tf.mul(tf.add(z, 1), 0.5), 0, 1),
    df: (dy, z) => tf.mul(dy, tf.mul(inside(z, -1, 1), 0.5)),
  },
  logSigmoid: { f: (z) => tf.logSigmoid(z), df: (dy, z) => tf.mul(dy, tf.sigmoid(tf.neg(z))) },
  tanh: fromY(tf.tanh, (dy, y) => F.mul(dy, F.sub(F.constant(1), F.square(y)))),
  hardTanh: { f: (z) => tf.clipByValue(z, -1, 1), df: (dy, z) => tf.mul(dy, inside(z, -1, 1)) },
  tanhShrink: { f: (z) => tf.sub(z, tf.tanh(z)), df: (dy, z) => tf.mul(dy, tf.square(tf.tanh(z))) },
  softShrink: {
    f: (z) => tf.sub(z, tf.clipByValue(z, -SHRINK, SHRINK)),
    df: (dy, z) => tf.mul(dy, outside(z, SHRINK)),
  },
  // step, not a comparison, in the forward pass: tfjs autodiff (the test oracle) has no gradient for Greater.
  hardShrink: {
    f: (z) => tf.mul(z, tf.step(tf.sub(tf.abs(z), SHRINK))),
    df: (dy, z) => tf.mul(dy, outside(z, SHRINK)),
  },
  softmax: {
    f: (z) => tf.softmax(z),
    df: (dy, _z, y) => tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true))),
  },
  logSoftmax: {
    // z - max - log Σ exp(z - max), from plain ops: tf.logSoftmax's custom op trips tfjs' kernel leak check
    // on wasm when a gradient tape records it.
    f: (z) => {
      const shifted = tf.sub(z, tf.max(z, -1, true));
      return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
    },
    df: (dy, _z, y) => tf.sub(dy, tf.mul(tf.exp(y), tf.sum(dy, -1, true))),
  },
  sparsemax: {
    f: (z) => tf.relu(tf.sub(z, sparsemaxTau(z))),
    df: (dy, _z, y) => {
      const support = tf.cast(tf.greater(y, 0), 'float32');
      const mean = tf.div(tf.sum(tf.mul(dy, support), -1, true), tf.sum(support, -1, true));
      return tf.mul(support, tf.sub(dy, mean));
    },
  },
  softplus: { f: (z) => tf.softplus(z), df: (dy, z) => tf.mul(dy, tf.sigmoid(z)) },
  sparsePlus: {
    f: (z) => tf.where(tf.greaterEqual(z, 1), z, tf.div(tf.square(tf.relu(tf.add(z, 1))), 4)),
    df: (dy, z) => tf.mul(dy, tf.clipByValue(tf.mul(tf.add(z, 1), 0.5), 0, 1)),
  },
  squareplus: {
    f: (z) => tf.mul(tf.add(z, tf.sqrt(tf.add(tf.square(z), SQUAREPLUS_B))), 0.5),
    df: (dy, z) => tf.mul(dy, tf.mul(tf.add(1, tf.div(z, tf.sqrt(tf.add(tf.square(z), SQUAREPLUS_B)))), 0.5)),
  },
  softsign: {
    f: (z) => tf.div(z, tf.add(1, tf.abs(z))),
    df: (dy, z) => tf.div(dy, tf.square(tf.add(1, tf.abs(z)))),
  },
  swish,
  silu: swish,
  hardSilu,
  hardSwish: hardSilu,
  // Keras 3's default gelu (approximate=False): the exact erf form.
  gelu: {
    f: (z) => tf.mul(tf.mul(0.5, z), tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2)))),
    df: (dy, z) => {
      const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2))));
      const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(z))));
      return tf.mul(dy, tf.add(cdf, tf.mul(z, pdf)));
    },
  },
  mish: {
    f: (z) => tf.mul(z, tf.tanh(tf.softplus(z))),
    df: (dy, z) => {
      const t = tf.tanh(tf.softplus(z));
      return tf.mul(dy, tf.add(t, tf.mul(tf.mul(z, tf.sub(1, tf.square(t))), tf.sigmoid(z))));
    },
  },
  exponential: fromY(tf.exp, (dy, y) => F.mul(dy, y)),
  glu: {
    f: (z) => {
      const [a, b] = tf.split(z, 2, -1) as [tf.Tensor, tf.Tensor];
      return tf.mul(a, tf.sigmoid(b));
    },
    df: (dy, z) => {
      const [a, b] = tf.split(z, 2, -1) as [tf.Tensor, tf.Tensor];
      const s = tf.sigmoid(b);
      return tf.concat([tf.mul(dy, s), tf.mul(tf.mul(dy, a), tf.mul(s, tf.sub(1, s)))], -1);
    },
  },
} satisfies Record<string, Fn>;

type Canonical = keyof typeof FUNCTIONS;

/** 'hard_sigmoid' → 'hardSigmoid': Keras' snake_case names are the camelCase ones. */
const fn = (name: ActivationName): Fn =>
  FUNCTIONS[name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as Canonical];

export function activate(name: ActivationName, z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => fn(name).f(z));
}

/** dz from dy, the pre-activation z and the output y = f(z). */
export function activationGrad(name: ActivationName, dy: tf.Tensor, z: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => fn(name).df(dy, z, y));
}

/**
 * dz from dy and the output y alone, for activations whose derivative needs only y (sigmoid, tanh,
 * exponential, relu: the formula activationGrad runs for them); null for the others.
 */
export function activationGradFromY(name: ActivationName, dy: tf.Tensor, y: tf.Tensor): tf.Tensor | null {
  const f = activationGradFormula(name, F.inputOf(0), F.inputOf(1));
  return f ? F.runFormula(f, [dy, y]) : null;
}

/**
 * dz as a formula of the formulas dy and y, for activations whose derivative needs only y (sigmoid, tanh,
 * exponential, relu), so a brick can fold its own products into the same kernel; null for the others.
 */
export function activationGradFormula(name: ActivationName, dy: Formula, y: Formula): Formula | null {
  return fn(name).dfOfY?.(dy, y) ?? null;
}

/**
 * The shape f gives a pre-activation of shape `shape` (no batch axis): the same, except glu, which halves
 * the last axis (an even one, or a free one; `label` names the brick in the error).
 */
export function activationShape(name: ActivationName, shape: Shape, label: string): Shape {
  if (name !== 'glu') return shape;
  const last = shape[shape.length - 1];
  if (last === undefined || (last !== null && last % 2 !== 0)) {
    throw new BrickError(
      `${label}: activation 'glu' splits the last axis in two halves, so it must be even, received ${formatShape([null, ...shape])}`,
      label,
    );
  }
  return [...shape.slice(0, -1), last === null ? null : last / 2];
}
