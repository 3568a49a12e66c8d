/**
 * Initializers (Keras 3 definitions). fan_in / fan_out of a kernel [..receptive, in, out] are
 * receptive·in and receptive·out. glorot: scale 1/avg(fan); he: 2/fan_in; lecun: 1/fan_in.
 * Uniform variants draw U(-l, l) with l = sqrt(3·scale); normal ones a truncated normal with
 * stddev sqrt(scale)/0.8796 (the stddev of a unit normal truncated at ±2).
 * orthogonal: gain·Q of the QR decomposition of a standard normal [max(r, c), min(r, c)] matrix
 * (r = Π shape[:-1], c = shape[-1]) with R's diagonal made positive, transposed when r < c.
 */
import { BrickError, configObject, rng } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

const named = z.enum([
  'zeros',
  'ones',
  'glorotUniform',
  'glorotNormal',
  'heNormal',
  'heUniform',
  'lecunNormal',
  'lecunUniform',
  'randomNormal',
  'randomUniform',
  'orthogonal',
]);

/** A Keras initializer name, or `{ className, config }` for the ones with settings. */
export const Initializer = z.union([
  named,
  configObject({ className: z.literal('Constant'), config: configObject({ value: z.number() }) }),
  configObject({
    className: z.literal('RandomNormal'),
    config: configObject({ mean: z.number().default(0), stddev: z.number().positive().default(0.05) }),
  }),
  configObject({
    className: z.literal('RandomUniform'),
    config: configObject({ minval: z.number().default(-0.05), maxval: z.number().default(0.05) }),
  }),
  configObject({
    className: z.literal('Orthogonal'),
    config: configObject({ gain: z.number().default(1) }).default({ gain: 1 }),
  }),
  configObject({
    className: z.enum([
      'Zeros',
      'Ones',
      'GlorotUniform',
      'GlorotNormal',
      'HeNormal',
      'HeUniform',
      'LecunNormal',
      'LecunUniform',
    ]),
    config: configObject({}).default({}),
  }),
]);
export type Initializer = z.input<typeof Initializer>;

function fans(shape: number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0] as number, shape[0] as number];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [receptive * (shape[shape.length - 2] as number), receptive * (shape[shape.length - 1] as number)];
}

const TRUNCATED_STDDEV = 0.8796256610342398;

function variance(shape: number[], scale: number, mode: 'fanIn' | 'fanAvg', dist: 'uniform' | 'normal'): tf.Tensor {
  const [fanIn, fanOut] = fans(shape);
  const s = scale / (mode === 'fanIn' ? fanIn : (fanIn + fanOut) / 2);
  if (dist === 'uniform') {
    const limit = Math.sqrt(3 * s);
    return rng().uniform(shape, -limit, limit);
  }
  return rng().normalTensor(shape, 0, Math.sqrt(s) / TRUNCATED_STDDEV, true);
}

/** Columns orthogonalized together by `orthogonal`. */
const ORTHOGONAL_BLOCK = 16;

/**
 * Keras' Orthogonal: the Q of a standard normal matrix's QR decomposition, by modified Gram-Schmidt in
 * float64 on the CPU (O(rows·cols²): a few hundred milliseconds for a 256-unit LSTM's [256, 1024]), so
 * large recurrent kernels draw quickly. Gram-Schmidt's R has a positive diagonal, which is Keras'
 * `q * sign(diag(r))`.
 */
function orthogonal(shape: number[], gain: number): tf.Tensor {
  if (shape.length < 2) {
    throw new BrickError(
      `initialize: 'orthogonal' needs a shape of two or more axes, received [${shape.join(', ')}]`,
      'initialize',
    );
  }
  const cols = shape[shape.length - 1] as number;
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  // Orthonormal columns of a tall [m, n] matrix, stored column by column.
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  const draw = rng().normalArray(m * n);
  const q: Float64Array[] = [];
  const m4 = m - (m % 4);
  const project = (u: Float64Array, v: Float64Array) => {
    // Four partial sums: one running sum is bound by the latency of each add.
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let i = 0; i < m4; i += 4) {
      d0 += (u[i] as number) * (v[i] as number);
      d1 += (u[i + 1] as number) * (v[i + 1] as number);
      d2 += (u[i + 2] as number) * (v[i + 2] as number);
      d3 += (u[i + 3] as number) * (v[i + 3] as number);
    }
    for (let i = m4; i < m; i++) d0 += (u[i] as number) * (v[i] as number);
    const dot = d0 + d1 + d2 + d3;
    for (let i = 0; i < m; i++) v[i] = (v[i] as number) - dot * (u[i] as number);
  };
  // Columns a block at a time: each earlier column is read once per block rather than once per column
  // (the cost is memory traffic), and each column still meets the earlier ones in order, as in plain MGS.
  for (let j0 = 0; j0 < n; j0 += ORTHOGONAL_BLOCK) {
    const block: Float64Array[] = [];
    for (let j = j0; j < Math.min(n, j0 + ORTHOGONAL_BLOCK); j++) {
      const v = new Float64Array(m);
      for (let i = 0; i < m; i++) v[i] = draw[i * n + j] as number;
      block.push(v);
    }
    for (const u of q) for (const v of block) project(u, v);
    for (const v of block) {
      for (let k = j0; k < q.length; k++) project(q[k] as Float64Array, v);
      let norm = 0;
      for (let i = 0; i < m; i++) norm += (v[i] as number) ** 2;
      norm = Math.sqrt(norm);
      for (let i = 0; i < m; i++) v[i] = (v[i] as number) / norm;
      q.push(v);
    }
  }
  // Q is [m, n]; the result is Q when rows ≥ cols, else Qᵀ, both read row-major into [rows, cols].
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = rows >= cols ? (q[c] as Float64Array)[r] : (q[r] as Float64Array)[c];
      out[r * cols + c] = gain * (v as number);
    }
  }
  return tf.tensor(out, shape, 'float32');
}

/** Draws a tensor of `shape` from the initializer (seeded by setSeed). */
export function initialize(init: Initializer, shape: number[]): tf.Tensor {
  const spec = typeof init === 'string' ? { className: init, config: {} as Record<string, number> } : init;
  const c = (spec.config ?? {}) as Record<string, number | undefined>;
  const key = spec.className.charAt(0).toLowerCase() + spec.className.slice(1);
  switch (key) {
    case 'zeros':
      return tf.zeros(shape);
    case 'ones':
      return tf.ones(shape);
    case 'constant':
      return tf.fill(shape, c.value ?? 0);
    case 'randomNormal':
      return rng().normalTensor(shape, c.mean ?? 0, c.stddev ?? 0.05);
    case 'randomUniform':
      return rng().uniform(shape, c.minval ?? -0.05, c.maxval ?? 0.05);
    case 'glorotUniform':
      return variance(shape, 1, 'fanAvg', 'uniform');
    case 'glorotNormal':
      return variance(shape, 1, 'fanAvg', 'normal');
    case 'heNormal':
      return variance(shape, 2, 'fanIn', 'normal');
    case 'heUniform':
      return variance(shape, 2, 'fanIn', 'uniform');
    case 'lecunNormal':
      return variance(shape, 1, 'fanIn', 'normal');
    case 'lecunUniform':
      return variance(shape, 1, 'fanIn', 'uniform');
    case 'orthogonal':
      return orthogonal(shape, c.gain ?? 1);
    default:
      throw new BrickError(`initialize: unknown initializer '${spec.className}'`, 'initialize');
  }
}

/** A trainable variable named `${layer}/${param}` drawn from `init`. */
export function makeVariable(
  layer: string,
  param: string,
  init: Initializer,
  shape: number[],
  trainable = true,
): tf.Variable {
  const value = initialize(init, shape);
  // tfjs-layers names its variables `<layer>/<param>_<n>` in the same engine: a prefix of our own keeps the
  // two libraries from claiming one name when both are used in one process.
  const v = tf.variable(value, trainable, `brickml:${layer}/${param}#${variableCounter++}`);
  value.dispose();
  return v;
}
let variableCounter = 0;
