/**
 * Dot of a and b along one axis of each: y = â·b̂, a batched matMul with a's dot axis moved last, b's first.
 * With normalize, â = a ⊙ sₐ, sₐ = min(1/‖a‖, 1/ε) over the dot axis (ε = 1e-7, as Keras); else â = a.
 * Backward: dâ = dy·b̂ᵀ, db̂ = âᵀ·dy; with normalize, da = sₐ ⊙ (dâ − â ⊙ Σ â ⊙ dâ), the sum over the dot
 * axis (da = sₐ ⊙ dâ where sₐ is clamped); the same for b.
 */
import { BrickError, configObject, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseMultiInputLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { shapeList } from './merge.js';

const EPSILON = 1e-7;

const Axis = z.int({ error: 'must be an integer' }).refine((a) => a !== 0, { error: 'must not be the batch axis 0' });

export const DotConfig = configObject(baseConfig, {
  /** The dot axis of both inputs, or [of a, of b]; the batch axis counts as 0 (refused), negative from the end. */
  axes: z.union([Axis, z.tuple([Axis, Axis])], { error: 'must be an integer or a pair of integers' }),
  /** L2-normalize each input along its dot axis first, so y is the cosine similarity. Default: false. */
  normalize: z.boolean().default(false),
});
export type DotConfig = z.input<typeof DotConfig>;

type DotCache = {
  /** â as [batch, p, n] (dot axis last) and b̂ as [batch, n, q] (dot axis first). */
  a: tf.Tensor3D;
  b: tf.Tensor3D;
  /** [sₐ, s_b] with normalize, else empty. */
  s: [] | [tf.Tensor3D, tf.Tensor3D];
};

/** How one input is laid out as a matrix per example: rank 1 gains an axis, rank 2 may be transposed. */
interface Layout {
  shape: Shape;
  /** The dot axis of the example (0 or 1, no batch axis). */
  axis: number;
}

/** Per example: x with its dot axis last ([p, n]) when `last`, else first ([n, q]). */
function toMatrix(x: tf.Tensor, { shape, axis }: Layout, last: boolean): tf.Tensor3D {
  const batch = x.shape[0] as number;
  if (shape.length === 1) return tf.reshape(x, last ? [batch, 1, shape[0] as number] : [batch, shape[0] as number, 1]);
  return (axis === (last ? 1 : 0) ? x : tf.transpose(x, [0, 2, 1])) as tf.Tensor3D;
}

/** The inverse of toMatrix. */
function fromMatrix(m: tf.Tensor3D, { shape, axis }: Layout, last: boolean): tf.Tensor {
  if (shape.length === 1) return tf.reshape(m, [m.shape[0], ...(shape as number[])]);
  return axis === (last ? 1 : 0) ? m : tf.transpose(m, [0, 2, 1]);
}

/** min(1/‖x‖, 1/ε) over `axis`, kept. */
const inverseNorm = (x: tf.Tensor3D, axis: number) =>
  tf.minimum(tf.rsqrt(tf.sum(tf.square(x), axis, true)), 1 / EPSILON) as tf.Tensor3D;

/** da from dâ through â = a ⊙ s (see the header). */
function throughNormalize(dHat: tf.Tensor, hat: tf.Tensor, s: tf.Tensor, axis: number): tf.Tensor {
  const projected = tf.mul(tf.cast(tf.less(s, 1 / EPSILON), 'float32'), tf.sum(tf.mul(hat, dHat), axis, true));
  return tf.mul(s, tf.sub(dHat, tf.mul(hat, projected)));
}

/**
 * The dot product of 2 inputs along one axis of each, per example (Keras' batch_dot): examples of rank 1
 * give [1], of rank 2 a matrix product. With `normalize`, the cosine similarity.
 *
 * @example
 * const similarity = new Dot({ axes: 1, normalize: true }).apply([a, b]); // a, b: [16] → [1]
 */
export class Dot extends BaseMultiInputLayer<typeof DotConfig, Record<string, never>, DotCache> {
  readonly arity = { min: 2, max: 2 };
  private layouts: [Layout, Layout] | null = null;

  constructor(config: DotConfig) {
    super('Dot', DotConfig, config);
  }

  protected setup(inputShapes: Shape[]): Shape {
    const shapes = inputShapes as [Shape, Shape];
    if (shapes.some((s) => s.length < 1 || s.length > 2)) {
      throw new BrickError(
        `${this.label}: inputs must have rank 2 or 3 (batch axis included), received ${shapeList(shapes)}`,
        this.label,
      );
    }
    const { axes } = this.config;
    const given = typeof axes === 'number' ? [axes, axes] : axes;
    const picked = shapes.map((s, i) => {
      const a = given[i] as number;
      return a < 0 ? a + s.length + 1 : a;
    });
    if (picked.some((a, i) => a < 1 || a > (shapes[i] as Shape).length)) {
      throw new BrickError(
        `${this.label}: axes ${JSON.stringify(axes)} must name a non-batch axis of each input, received ${shapeList(shapes)}`,
        this.label,
      );
    }
    const [la, lb] = shapes.map((shape, i) => ({ shape, axis: (picked[i] as number) - 1 })) as [Layout, Layout];
    if (la.shape[la.axis] !== lb.shape[lb.axis]) {
      throw new BrickError(
        `${this.label}: inputs must match on the dot axes ${picked[0]} and ${picked[1]}, received ${shapeList(shapes)}`,
        this.label,
      );
    }
    this.layouts = [la, lb];
    const out = [...la.shape.filter((_, k) => k !== la.axis), ...lb.shape.filter((_, k) => k !== lb.axis)];
    return out.length > 0 ? out : [1];
  }

  forward(xs: readonly tf.Tensor[], _opts?: ForwardOptions): { y: tf.Tensor; cache: DotCache } {
    this.checkInputs(xs);
    const [la, lb] = this.layouts as [Layout, Layout];
    return tf.tidy(() => {
      let a = toMatrix(xs[0] as tf.Tensor, la, true);
      let b = toMatrix(xs[1] as tf.Tensor, lb, false);
      let s: DotCache['s'] = [];
      if (this.config.normalize) {
        s = [inverseNorm(a, 2), inverseNorm(b, 1)];
        a = tf.mul(a, s[0]);
        b = tf.mul(b, s[1]);
      }
      const y = tf.reshape(tf.matMul(a, b), [a.shape[0], ...(this.outputShape as number[])]);
      return { y, cache: { a, b, s } };
    });
  }

  backward(dy: tf.Tensor, { a, b, s }: DotCache) {
    this.checkGrad(dy);
    const [la, lb] = this.layouts as [Layout, Layout];
    const dxs = tf.tidy(() => {
      const d = tf.reshape(dy, [a.shape[0], a.shape[1], b.shape[2]]) as tf.Tensor3D;
      // Explicit transposes and a plain matMul: the transpose flags are slow on wasm.
      let da: tf.Tensor = tf.matMul(d, tf.transpose(b, [0, 2, 1]));
      let db: tf.Tensor = tf.matMul(tf.transpose(a, [0, 2, 1]), d);
      if (s.length === 2) {
        da = throughNormalize(da, a, s[0], 2);
        db = throughNormalize(db, b, s[1], 1);
      }
      return [fromMatrix(da as tf.Tensor3D, la, true), fromMatrix(db as tf.Tensor3D, lb, false)];
    });
    return { dxs, grads: {} };
  }
}
