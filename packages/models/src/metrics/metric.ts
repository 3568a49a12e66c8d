/**
 * Streaming weighted mean: total += Σᵢ wᵢ·vᵢ, count += Σᵢ wᵢ over every batch of the epoch, result =
 * total / count (0 before any update). vᵢ is a per-example value (per-position for sequences), and wᵢ
 * the sample weight broadcast over it (or given per element of v), so the result is the whole-epoch
 * mean, not a mean of batch means.
 */
import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Metric } from '../types.js';

/**
 * A device accumulator filled with zeros. The zeros it starts from are freed by the tidy: tf.variable
 * takes its own reference to their data, so an untidied `tf.variable(tf.zeros(...))` leaves one tensor
 * behind for every accumulator ever made.
 */
export function accumulator(shape: number[] = []): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape), false));
}

/**
 * Sample weights shaped like `like` (rank ≥ 1): one weight per example ([N], reshaped to [N, 1, ...] and
 * broadcast) or one per element (the shape of `like`, as Keras allows).
 */
export function broadcastWeight(who: string, like: tf.Tensor, sampleWeight?: tf.Tensor): tf.Tensor {
  if (sampleWeight === undefined) return tf.onesLike(like);
  if (sampleWeight.shape.join(',') === like.shape.join(',')) return tf.cast(sampleWeight, 'float32');
  if (sampleWeight.rank !== 1 || sampleWeight.shape[0] !== like.shape[0]) {
    const elements = like.rank > 1 ? ` or [${like.shape.join(', ')}] (one per element)` : '';
    throw new BrickError(
      `${who}: sampleWeight must have shape [${like.shape[0]}] (one weight per example)${elements}, received [${sampleWeight.shape.join(', ')}]`,
      who,
    );
  }
  const shape = [sampleWeight.shape[0] as number, ...like.shape.slice(1).map(() => 1)];
  return tf.mul(tf.onesLike(like), tf.reshape(tf.cast(sampleWeight, 'float32'), shape));
}

export function checkSameShape(who: string, yTrue: tf.Tensor, yPred: tf.Tensor): void {
  const a = yTrue.shape.join(', ');
  const b = yPred.shape.join(', ');
  if (a !== b)
    throw new BrickError(`${who}: yTrue and yPred must have the same shape, received [${a}] and [${b}]`, who);
}

/**
 * yTrue reshaped to yPred's shape when the two differ only by a trailing axis of 1 ([N] against [N, 1]),
 * as Keras' squeeze-or-expand does; any other difference is a named error.
 */
export function matchRank(who: string, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const [a, b] = [yTrue.shape, yPred.shape];
  const trailingOne = (long: number[], short: number[]) =>
    long.length === short.length + 1 && long[long.length - 1] === 1 && short.every((d, i) => d === long[i]);
  if (trailingOne(a, b) || trailingOne(b, a)) return tf.reshape(yTrue, b);
  checkSameShape(who, yTrue, yPred);
  return yTrue;
}

/**
 * A metric whose value may be several numbers (one per class, one per threshold), as Keras returns
 * them. `results()` reads them all; `result()`, what logs take, reads the one number of a `scalar`
 * metric and refuses the others (logs hold one number per name).
 */
export interface VectorMetric extends Metric {
  readonly className: string;
  /** False when the config asks for one value per class or per threshold. */
  readonly scalar: boolean;
  /** Why the result is several numbers and which config makes it one ('' when scalar). */
  readonly vectorReason: string;
  results(): Promise<number[]>;
}

export function isVectorMetric(metric: Metric): metric is VectorMetric {
  return typeof (metric as Partial<VectorMetric>).results === 'function' && 'scalar' in metric;
}

/** The error of reading one number from a metric that holds several. */
export function notScalarError(metric: VectorMetric, where = `${metric.className} '${metric.name}'`): BrickError {
  return new BrickError(
    `${where}: ${metric.vectorReason}, and logs hold one number per name (results() reads every value)`,
    metric.name,
  );
}

/** Reads a vector result (one tidy, one read) and frees it. */
export async function readAll(compute: () => tf.Tensor): Promise<number[]> {
  const r = tf.tidy(compute);
  const values = await r.data();
  r.dispose();
  return Array.from(values);
}

/** Base of the metrics that average a per-example value: accuracies, mse, mae. */
export abstract class MeanMetric implements Metric {
  abstract readonly name: string;
  protected readonly total = accumulator();
  protected readonly count = accumulator();

  /** Per-example values, shaped [N] or [N, ...]; called inside a tidy. */
  protected abstract values(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;

  /** The number result() reads, from the sums; called inside a tidy. */
  protected value(): tf.Scalar {
    return tf.divNoNan(this.total, this.count);
  }

  /** The count of an unweighted update's values, for the last batch's size (`counted`): set once per size. */
  private readonly unweighted = accumulator();
  private counted = -1;

  update(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void {
    tf.tidy(() => {
      const v = tf.cast(this.values(yTrue, yPred), 'float32');
      if (sampleWeight === undefined) {
        // Weights of 1: Σ v and the count of v, the same numbers as Σ v·1 and Σ 1 (exact below 2²⁴) for
        // three kernels fewer (the ones, the product, their sum), the count uploaded once per batch size.
        if (v.size !== this.counted) {
          this.unweighted.assign(tf.scalar(v.size));
          this.counted = v.size;
        }
        this.total.assign(tf.add(this.total, tf.sum(v)));
        this.count.assign(tf.add(this.count, this.unweighted));
        return;
      }
      const w = broadcastWeight(this.name, v, sampleWeight);
      this.total.assign(tf.add(this.total, tf.sum(tf.mul(v, w))));
      this.count.assign(tf.add(this.count, tf.sum(w)));
    });
  }

  async result(): Promise<number> {
    const [value] = await readAll(() => this.value());
    return value as number;
  }

  reset(): void {
    tf.tidy(() => {
      this.total.assign(tf.zerosLike(this.total));
      this.count.assign(tf.zerosLike(this.count));
    });
  }

  dispose(): void {
    this.total.dispose();
    this.count.dispose();
    this.unweighted.dispose();
  }
}
