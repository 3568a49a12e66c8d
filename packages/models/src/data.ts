import { assertBatchShape, BrickError, fixedShape, formatShape, gatherRows, type Shape, sizeOf } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';

/** What fit, evaluate and predict accept: a tensor, a flat typed array, or nested arrays. */
export type DataLike = tf.Tensor | tf.TypedArray | number[] | number[][] | number[][][] | number[][][][];

/** Tensors the library made from user data: disposed when the call ends, never the user's own. */
export class Owned {
  private readonly made: tf.Tensor[] = [];
  own<T extends tf.Tensor>(t: T): T {
    this.made.push(t);
    return t;
  }
  dispose(): void {
    tf.dispose(this.made);
    this.made.length = 0;
  }
}

/**
 * A float32 tensor from `data`. A flat typed array is read as examples of `exampleShape`; nested arrays
 * carry their own shape. User tensors pass through untouched.
 */
export function toTensor(who: string, what: string, data: DataLike, exampleShape: Shape | null, owned: Owned) {
  if (data instanceof tf.Tensor) return data;
  if (ArrayBuffer.isView(data)) {
    const values = data as tf.TypedArray;
    if (!exampleShape) {
      throw new BrickError(
        `${who}: ${what} is a flat typed array but the model has no input shape yet; give inputShape or pass a tensor`,
        who,
      );
    }
    const per = sizeOf(exampleShape);
    if (values.length % per !== 0) {
      throw new BrickError(
        `${who}: ${what} has ${values.length} values, not a whole number of examples of shape ${formatShape(exampleShape)}`,
        who,
      );
    }
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    return owned.own(tf.tensor(f32, [values.length / per, ...fixedShape(who, what, exampleShape)], 'float32'));
  }
  if (!Array.isArray(data)) {
    throw new BrickError(
      `${who}: ${what} must be a tensor, a typed array or nested arrays, received ${typeof data}`,
      who,
    );
  }
  try {
    return owned.own(tf.tensor(data as number[], undefined, 'float32'));
  } catch (e) {
    throw new BrickError(`${who}: ${what} is not a rectangular array of numbers (${(e as Error).message})`, who);
  }
}

/**
 * Labels as a tensor shaped for the model's output: a flat typed array becomes [n, ...outputShape] when
 * its size fits, else [n, k]; labels [n] for an output [1] become [n, 1] (as Keras accepts them).
 */
export function toTargets(who: string, data: DataLike, samples: number, outputShape: Shape, owned: Owned) {
  let y: tf.Tensor;
  if (ArrayBuffer.isView(data)) {
    const length = (data as tf.TypedArray).length;
    const per = length / Math.max(samples, 1);
    const shape = per === sizeOf(outputShape) ? outputShape : [per];
    y = toTensor(who, 'y', data, Number.isInteger(per) ? shape : [length], owned);
  } else {
    y = toTensor(who, 'y', data, null, owned);
  }
  if (y.rank === 1 && outputShape.length === 1 && outputShape[0] === 1) y = owned.own(tf.reshape(y, [-1, 1]));
  return y;
}

/** Per-example weights [n] from an array or tensor, checked against the number of samples. */
export function toSampleWeight(who: string, data: DataLike, samples: number, owned: Owned): tf.Tensor1D {
  const w = toTensor(who, 'sampleWeight', data, [], owned);
  if (w.rank !== 1 || w.shape[0] !== samples) {
    throw new BrickError(
      `${who}: sampleWeight must have shape [${samples}] (one weight per sample), received ${formatShape(w.shape)}`,
      who,
    );
  }
  return (w.dtype === 'float32' ? w : owned.own(tf.cast(w, 'float32'))) as tf.Tensor1D;
}

/**
 * Keras' classWeight: each sample weighs classWeight[its class], the class being the label's argmax for
 * one-hot labels and the label itself otherwise. Classes left out weigh 1.
 */
export function classWeights(who: string, classWeight: Record<string, number>, y: tf.Tensor): tf.Tensor1D {
  const table: number[] = [];
  for (const [key, w] of Object.entries(classWeight)) {
    const k = Number(key);
    if (!Number.isInteger(k) || k < 0) {
      throw new BrickError(`${who}: classWeight keys must be class indices (integers >= 0), received '${key}'`, who);
    }
    table[k] = w;
  }
  const classes = y.rank >= 2 && (y.shape[y.rank - 1] as number) > 1 ? (y.shape[y.rank - 1] as number) : 2;
  const size = Math.max(table.length, classes);
  const weights = Float32Array.from({ length: size }, (_, i) => table[i] ?? 1);
  return tf.tidy(() => {
    const last = y.shape[y.rank - 1] as number;
    const index =
      y.rank >= 2 && last > 1
        ? tf.argMax(y, -1)
        : tf.cast(tf.clipByValue(tf.round(tf.reshape(y, [y.shape[0] as number])), 0, size - 1), 'int32');
    return tf.gather(tf.tensor1d(weights), tf.reshape(index, [-1]));
  }) as tf.Tensor1D;
}

/** Throws unless x and y hold the same number of examples and x's examples have the input shape. */
export function checkXY(who: string, x: tf.Tensor, y: tf.Tensor, inputShape: Shape, yName = 'y'): void {
  if (x.shape[0] !== y.shape[0]) {
    const both = yName === 'y' ? 'x and y' : `x and ${yName}`;
    throw new BrickError(
      `${who}: ${both} must hold the same number of samples, received x ${formatShape(x.shape)} (${x.shape[0]} samples) and ${yName} ${formatShape(y.shape)} (${y.shape[0]} samples)`,
      who,
    );
  }
  assertBatchShape(who, 'x', inputShape, x.shape);
}

/**
 * One device reduction and one read: throws if x or y holds a NaN or an infinity. Σ t·0 is 0 for finite
 * numbers and NaN as soon as one is NaN or ±∞ (never an overflow), so each float tensor costs a product and
 * a sum (seven kernels when counting each kind); the kinds are counted, for the message, only where one is
 * off. Integer and boolean tensors cannot hold either.
 */
export async function checkFinite(who: string, named: Record<string, tf.Tensor>): Promise<void> {
  const names = Object.keys(named).filter((k) => (named[k] as tf.Tensor).dtype === 'float32');
  if (names.length === 0) return;
  const zero = tf.scalar(0);
  const sums = tf.tidy(() => tf.stack(names.map((k) => tf.sum(tf.mul(named[k] as tf.Tensor, zero)))));
  zero.dispose();
  const off = await sums.data();
  sums.dispose();
  const suspects = names.filter((_, i) => Number.isNaN(off[i]));
  if (suspects.length === 0) return;
  const counts = tf.tidy(() =>
    tf.stack(
      suspects.flatMap((k) => {
        const t = named[k] as tf.Tensor;
        return [tf.sum(tf.cast(tf.isNaN(t), 'float32')), tf.sum(tf.cast(tf.isInf(t), 'float32'))];
      }),
    ),
  );
  const data = await counts.data();
  counts.dispose();
  suspects.forEach((name, i) => {
    const nan = data[2 * i] as number;
    const inf = data[2 * i + 1] as number;
    if (nan > 0) {
      throw new BrickError(`${who}: ${name} must hold no NaN, received ${nan} NaN value${nan === 1 ? '' : 's'}`, who);
    }
    if (inf > 0) {
      throw new BrickError(
        `${who}: ${name} must hold finite numbers, received ${inf} infinite value${inf === 1 ? '' : 's'}`,
        who,
      );
    }
  });
}

/** Rows [start, end) of t, gathered by `order` when given (a shuffled epoch) or sliced. */
export function rows(t: tf.Tensor, start: number, end: number, order: Int32Array | null): tf.Tensor {
  if (!order) return tf.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [end - start, ...t.shape.slice(1)]);
  return gatherRows(t, order.subarray(start, end));
}

/**
 * The largest batch whose biggest activation fits one storage buffer binding: webgpu's device limit
 * (128 MiB on Mesa), or 1 GiB elsewhere.
 */
export function maxBatchFor(shapes: readonly Shape[]): number {
  const backend = tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } };
  const limit =
    tf.getBackend() === 'webgpu' ? (backend.device?.limits?.maxStorageBufferBindingSize ?? 2 ** 27) : 2 ** 30;
  const widest = Math.max(1, ...shapes.map((s) => sizeOf(s)));
  return Math.max(1, Math.floor(limit / (4 * widest)));
}
