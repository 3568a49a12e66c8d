/**
 * Initializers (Keras 3 definitions). fan_in / fan_out of a kernel [..receptive, in, out] are
 * receptive·in and receptive·out. glorot: scale 1/avg(fan); he: 2/fan_in; lecun: 1/fan_in.
 * Uniform variants draw U(-l, l) with l = sqrt(3·scale); normal ones a truncated normal with
 * stddev sqrt(scale)/0.8796 (the stddev of a unit normal truncated at ±2).
 */
import { BrickError, rng } from '@brickml/core';
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
]);

/** A Keras initializer name, or `{ className, config }` for the ones with settings. */
export const Initializer = z.union([
  named,
  z.strictObject({ className: z.literal('Constant'), config: z.strictObject({ value: z.number() }) }),
  z.strictObject({
    className: z.literal('RandomNormal'),
    config: z.strictObject({ mean: z.number().default(0), stddev: z.number().positive().default(0.05) }),
  }),
  z.strictObject({
    className: z.literal('RandomUniform'),
    config: z.strictObject({ minval: z.number().default(-0.05), maxval: z.number().default(0.05) }),
  }),
  z.strictObject({
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
    config: z.strictObject({}).default({}),
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
