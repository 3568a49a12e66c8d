/**
 * Shared reduction ("sum over batch size", Keras 3 `reduce_weighted_values`): lₖ are the per-position losses
 * (yPred's shape without the reduced axis: [N] for [N, C], [N, T] for [N, T, C]), wₖ the sample weights
 * broadcast over them; value = Σₖ wₖ·lₖ / M with M the number of positions (N·T), whatever the weights.
 * A loss that masks positions (mₖ ∈ {0, 1}: SparseCategoricalCrossentropy's ignoreClass) divides by the
 * count of the others instead: value = Σₖ mₖ·wₖ·lₖ / max(Σₖ mₖ, 1) (Keras' mask weight total/valid; 0 if all masked).
 * Backward: d value / d yPred = mₖ·wₖ·(d lₖ / d yPred) / M; each loss states only lₖ and d lₖ / d yPred.
 */
import { BrickError, formatShape, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { Loss } from './loss.js';
import { checkTargets, type TargetKind } from './targets.js';

/** Keras' fuzz factor: probabilities are clipped to [ε, 1 - ε] before the log. */
export const EPSILON = 1e-7;

/**
 * The shape that makes a sampleWeight of shape `w` broadcast over per-position losses of shape `positions`,
 * or null if it cannot. Accepted, as Keras does: a scalar; [N] or [N, 1] (one weight per example); the
 * positions' shape [N, T] (one per position) or [N, T, 1]; axes after the batch may be 1. Where Keras
 * aligns a [N] weight to the right of [N, T] losses (an error unless N = T), this reads it per example.
 */
export function sampleWeightShape(w: readonly number[], positions: readonly number[]): number[] | null {
  if (w.length === 0) return positions.map(() => 1);
  const s = w.length === positions.length + 1 && w[w.length - 1] === 1 ? w.slice(0, -1) : [...w];
  if (s.length > positions.length || s[0] !== positions[0]) return null;
  if (!s.every((d, i) => i === 0 || d === 1 || d === positions[i])) return null;
  return [...s, ...new Array<number>(positions.length - s.length).fill(1)];
}

/** How the per-position losses are weighed and divided: weights w (broadcastable), mask m, divisor M. */
interface Reduction {
  weight?: tf.Tensor;
  mask?: tf.Tensor;
  divisor: number | tf.Tensor;
}

/**
 * Plumbing shared by the built-in losses: config validation, shape checks, sample weights, masks and the
 * 1/M reduction, for both the value and the gradient. Subclasses state the per-position math only.
 */
export abstract class BaseLoss<S extends z.ZodType<Record<string, unknown>>> implements Loss {
  readonly config: z.output<S>;
  /** How yTrue must relate to yPred (see validateTargets). */
  abstract readonly targets: TargetKind;

  constructor(
    readonly className: string,
    schema: S,
    raw: unknown,
  ) {
    this.config = parseConfig(className, schema, raw);
  }

  /** The axis lₖ reduces over, as given (may be negative). */
  get axis(): number {
    return -1;
  }

  /** lₖ: yPred's shape without the reduced axis. yTrue is float32 (sparse labels: int32). */
  protected abstract perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;
  /** d lₖ / d yPred, shaped like yPred. */
  protected abstract perExampleGrad(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;
  /** d lₖ / d z where yPred = activation(z), when that has an exact simple form. */
  protected perExampleFused(_activation: string, _yTrue: tf.Tensor, _yPred: tf.Tensor): tf.Tensor | undefined {
    return undefined;
  }
  /** Positions that count (bool, shaped like lₖ), or undefined when all do. */
  protected positionMask(_yTrue: tf.Tensor, _yPred: tf.Tensor): tf.Tensor | undefined {
    return undefined;
  }

  value(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Scalar {
    this.check(yTrue, yPred, sampleWeight);
    return tf.tidy(() => {
      const y = this.labels(yTrue);
      const { weight, mask, divisor } = this.reduction(y, yPred, sampleWeight);
      const l = this.perExample(y, yPred);
      const weighted = weight ? tf.mul(l, weight) : l;
      const kept = mask ? tf.where(mask, weighted, tf.zerosLike(weighted)) : weighted;
      return tf.div(tf.sum(kept), divisor) as tf.Scalar;
    });
  }

  grad(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Tensor {
    this.check(yTrue, yPred, sampleWeight);
    return tf.tidy(() => {
      const y = this.labels(yTrue);
      return this.reduceGrad(this.perExampleGrad(y, yPred), this.reduction(y, yPred, sampleWeight), yPred.rank);
    });
  }

  fusedGrad(activation: string, yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): tf.Tensor | undefined {
    this.check(yTrue, yPred, sampleWeight);
    return tf.tidy(() => {
      const y = this.labels(yTrue);
      const g = this.perExampleFused(activation, y, yPred);
      return g && this.reduceGrad(g, this.reduction(y, yPred, sampleWeight), yPred.rank);
    });
  }

  toSpec(): { className: string; config: Record<string, unknown> } {
    return { className: this.className, config: { ...this.config } };
  }

  /** The reduced axis, counted from the front of a tensor of `rank`. */
  private axisOf(rank: number): number {
    return this.axis < 0 ? rank + this.axis : this.axis;
  }

  /** yPred's shape without the reduced axis: the shape of lₖ. */
  private positions(yPred: tf.Tensor): number[] {
    const axis = this.axisOf(yPred.rank);
    return yPred.shape.filter((_, i) => i !== axis);
  }

  /** Labels as the per-position math wants them: float32, or int32 for sparse class indices. */
  private labels(yTrue: tf.Tensor): tf.Tensor {
    const dtype = this.targets === 'sparse' ? 'int32' : 'float32';
    return yTrue.dtype === dtype ? yTrue : tf.cast(yTrue, dtype);
  }

  private reduction(y: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): Reduction {
    const positions = this.positions(yPred);
    const mask = this.positionMask(y, yPred);
    const divisor = mask ? tf.maximum(tf.sum(tf.cast(mask, 'float32')), 1) : positions.reduce((a, b) => a * b, 1);
    if (!sampleWeight) return { mask, divisor };
    const w = sampleWeight.dtype === 'float32' ? sampleWeight : tf.cast(sampleWeight, 'float32');
    return { weight: tf.reshape(w, sampleWeightShape(sampleWeight.shape, positions) as number[]), mask, divisor };
  }

  /** The per-position gradient g weighed, masked and divided as the value is (weights spread over the axis). */
  private reduceGrad(g: tf.Tensor, { weight, mask, divisor }: Reduction, rank: number): tf.Tensor {
    const axis = this.axisOf(rank);
    const scaled = tf.div(g, divisor);
    const weighted = weight ? tf.mul(scaled, tf.expandDims(weight, axis)) : scaled;
    return mask ? tf.where(tf.expandDims(mask, axis), weighted, tf.zerosLike(weighted)) : weighted;
  }

  private check(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void {
    checkTargets(this.className, this.targets, yTrue.shape, yPred.shape, this.axis);
    if (!sampleWeight) return;
    const positions = this.positions(yPred);
    if (sampleWeightShape(sampleWeight.shape, positions) === null) {
      const [n] = positions as [number];
      const perPosition = positions.length > 1 ? ` or ${formatShape(positions)} (one per position)` : '';
      throw new BrickError(
        `${this.className}: sampleWeight must be a scalar, ${formatShape([n])} or ${formatShape([n, 1])} (one per example)${perPosition}, received ${formatShape(sampleWeight.shape)}`,
        this.className,
      );
    }
  }
}
