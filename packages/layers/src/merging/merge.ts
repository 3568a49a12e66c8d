/**
 * Merge: what the elementwise merges (Add, Subtract, Multiply, Average, Maximum, Minimum) share.
 * Shapes: every input has the output's rank, and on each axis the output's size or 1 (broadcast, as Keras).
 * Backward of a broadcast input: the output-shaped gradient summed over the axes it was broadcast along.
 */
import { BrickError, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseMultiInputLayer } from '../layer.js';

/** "[null, 3, 4] and [null, 5, 4]", "[null, 3], [null, 3] and [null, 4]": input shapes for errors. */
export function shapeList(shapes: readonly Shape[]): string {
  const text = shapes.map((s) => formatShape([null, ...s]));
  return text.length < 2 ? text.join('') : `${text.slice(0, -1).join(', ')} and ${text[text.length - 1]}`;
}

/** Base of the elementwise merges: 2 or more inputs, broadcast shape checks, gradients reduced per input. */
export abstract class Merge<S extends z.ZodType<{ name?: string | undefined }>, Cache> extends BaseMultiInputLayer<
  S,
  Record<string, never>,
  Cache
> {
  readonly arity: { readonly min: number; readonly max: number } = { min: 2, max: Number.POSITIVE_INFINITY };

  protected setup(inputShapes: Shape[]): Shape {
    let out = [...(inputShapes[0] as Shape)];
    for (const shape of inputShapes.slice(1)) {
      const fits = shape.length === out.length && shape.every((d, k) => d === out[k] || d === 1 || out[k] === 1);
      if (!fits) {
        throw new BrickError(
          `${this.label}: inputs must have one rank and, on each axis, one size or 1, received ${shapeList(inputShapes)}`,
          this.label,
        );
      }
      out = out.map((d, k) => (d === 1 ? (shape[k] as number) : d));
    }
    return out;
  }

  /** g (output-shaped) summed over the axes input i was broadcast along, keeping them: dxᵢ's shape. */
  protected reduceTo(g: tf.Tensor, i: number): tf.Tensor {
    const out = this.outputShape;
    const axes = (this.inputShapes[i] as Shape).flatMap((d, k) => (d === 1 && out[k] !== 1 ? [k + 1] : []));
    return axes.length > 0 ? tf.sum(g, axes, true) : tf.clone(g);
  }
}

/**
 * Where each input holds the extreme y (the first such input on ties, as tfjs autodiff of chained
 * tf.maximum / tf.minimum decides): one 0/1 mask per input, shaped like y.
 */
export function firstHolders(xs: readonly tf.Tensor[], y: tf.Tensor): tf.Tensor[] {
  let free: tf.Tensor = tf.onesLike(y);
  return xs.map((x) => {
    const mask = tf.mul(tf.cast(tf.equal(x, y), 'float32'), free);
    free = tf.sub(free, mask);
    return mask;
  });
}
