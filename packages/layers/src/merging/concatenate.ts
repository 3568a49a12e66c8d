/**
 * Concatenate along axis a: y = [x₀ ‖ x₁ ‖ … ‖ xₙ₋₁], xᵢ filling y[…, oᵢ : oᵢ + nᵢ, …], oᵢ = n₀ + … + nᵢ₋₁
 * Backward: dxᵢ = dy[…, oᵢ : oᵢ + nᵢ, …], the slice of dy that xᵢ filled
 */
import { BrickError, configObject, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseMultiInputLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { shapeList } from './merge.js';

export const ConcatenateConfig = configObject(baseConfig, {
  /** Axis to join along, counting the batch axis as 0 (refused); negative counts from the end. Default: -1. */
  axis: z
    .int({ error: 'must be an integer' })
    .refine((a) => a !== 0, { error: 'must not be the batch axis 0' })
    .default(-1),
});
export type ConcatenateConfig = z.input<typeof ConcatenateConfig>;

/**
 * Joins 2 or more inputs along one axis; they must match on every other axis.
 *
 * @example
 * const joined = new Concatenate().apply([a, b]); // a: [4, 3], b: [4, 5] → joined: [4, 8]
 */
export class Concatenate extends BaseMultiInputLayer<
  typeof ConcatenateConfig,
  Record<string, never>,
  Record<string, never>
> {
  readonly arity = { min: 2, max: Number.POSITIVE_INFINITY };
  /** The joined axis, counting the batch axis: 1 to rank. */
  private a = 0;

  constructor(config: ConcatenateConfig = {}) {
    super('Concatenate', ConcatenateConfig, config);
  }

  protected setup(inputShapes: Shape[]): Shape {
    const rank = (inputShapes[0] as Shape).length + 1;
    if (inputShapes.some((s) => s.length + 1 !== rank)) {
      throw new BrickError(`${this.label}: inputs must have one rank, received ${shapeList(inputShapes)}`, this.label);
    }
    const { axis } = this.config;
    const a = axis < 0 ? axis + rank : axis;
    if (a < 1 || a >= rank) {
      throw new BrickError(
        `${this.label}: axis must be between ${1 - rank} and ${rank - 1} (not 0) for inputs ${shapeList(inputShapes)}, received ${axis}`,
        this.label,
      );
    }
    const first = inputShapes[0] as Shape;
    if (inputShapes.some((s) => s.some((d, k) => k !== a - 1 && d !== first[k]))) {
      throw new BrickError(
        `${this.label}: inputs must match on every axis but ${a}, received ${shapeList(inputShapes)}`,
        this.label,
      );
    }
    this.a = a;
    return first.map((d, k) => (k === a - 1 ? inputShapes.reduce((n, s) => n + (s[k] as number), 0) : d));
  }

  forward(xs: readonly tf.Tensor[], _opts?: ForwardOptions): { y: tf.Tensor; cache: Record<string, never> } {
    this.checkInputs(xs);
    return { y: tf.concat([...xs], this.a), cache: {} };
  }

  backward(dy: tf.Tensor, _cache: Record<string, never>) {
    this.checkGrad(dy);
    const begin = dy.shape.map(() => 0);
    const size = dy.shape.map(() => -1);
    const dxs = this.inputShapes.map((shape) => {
      const n = shape[this.a - 1] as number;
      const dx = tf.slice(
        dy,
        begin,
        size.map((s, k) => (k === this.a ? n : s)),
      );
      begin[this.a] = (begin[this.a] as number) + n;
      return dx;
    });
    return { dxs, grads: {} };
  }
}
