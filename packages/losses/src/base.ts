/**
 * Shared reduction ("sum over batch size", Keras 3): value = Σᵢ wᵢ·lᵢ / M, where lᵢ are the per-example
 * losses (yPred's shape without the reduced axis, so M = N for [N, C] predictions, N·T for [N, T, C]).
 * Backward: d value / d yPred = wᵢ · (d lᵢ / d yPred) / M; each loss states only lᵢ and d lᵢ / d yPred.
 */
import { BrickError, formatShape, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { Loss } from './loss.js';
import { checkTargets, type TargetKind } from './targets.js';

/** Keras' fuzz factor: probabilities are clipped to [ε, 1 - ε] before the log. */
export const EPSILON = 1e-7;

/** Per-example weights [N] reshaped to broadcast over a tensor of `rank` whose first axis is the batch. */
function expandWeight(sampleWeight: tf.Tensor, rank: number): tf.Tensor {
  const w = sampleWeight.dtype === 'float32' ? sampleWeight : tf.cast(sampleWeight, 'float32');
  return tf.reshape(w, [sampleWeight.shape[0] as number, ...new Array<number>(rank - 1).fill(1)]);
}

/**
 * Plumbing shared by the built-in losses: config validation, shape checks, sample weights and the 1/M
 * reduction, for both the value and the gradient. Subclasses state the per-example math only.
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

  /** The axis lᵢ reduces over, as given (may be negative). */
  get axis(): number {
    return -1;
  }

  /** lᵢ: yPred's shape without the reduced axis. yTrue is float32 (sparse labels: int32). */
  protected abstract perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;
  /** d lᵢ / d yPred, shaped like yPred. */
  protected abstract perExampleGrad(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor;
  /** d lᵢ / d z where yPred = activation(z), when that has an exact simple form. */
  protected perExampleFused(_activation: string, _yTrue: tf.Tensor, _yPred: tf.Tensor): tf.Tensor | undefined {
    return undefined;
  }

  value(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): tf.Scalar {
    this.check(yTrue, yPred, sampleWeight);
    return tf.tidy(() => {
      const l = this.perExample(this.labels(yTrue), yPred);
      const weighted = sampleWeight ? tf.mul(l, expandWeight(sampleWeight, l.rank)) : l;
      return tf.mul(tf.sum(weighted), 1 / l.size) as tf.Scalar;
    });
  }

  grad(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): tf.Tensor {
    this.check(yTrue, yPred, sampleWeight);
    return tf.tidy(() => this.reduceGrad(this.perExampleGrad(this.labels(yTrue), yPred), yPred, sampleWeight));
  }

  fusedGrad(activation: string, yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): tf.Tensor | undefined {
    this.check(yTrue, yPred, sampleWeight);
    return tf.tidy(() => {
      const g = this.perExampleFused(activation, this.labels(yTrue), yPred);
      return g && this.reduceGrad(g, yPred, sampleWeight);
    });
  }

  toSpec(): { className: string; config: Record<string, unknown> } {
    return { className: this.className, config: { ...this.config } };
  }

  /** Labels as the per-example math wants them: float32, or int32 for sparse class indices. */
  private labels(yTrue: tf.Tensor): tf.Tensor {
    const dtype = this.targets === 'sparse' ? 'int32' : 'float32';
    return yTrue.dtype === dtype ? yTrue : tf.cast(yTrue, dtype);
  }

  private reduceGrad(g: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor1D): tf.Tensor {
    const axis = this.axis < 0 ? yPred.rank + this.axis : this.axis;
    const m = yPred.size / (yPred.shape[axis] as number);
    const scaled = tf.mul(g, 1 / m);
    return sampleWeight ? tf.mul(scaled, expandWeight(sampleWeight, g.rank)) : scaled;
  }

  private check(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void {
    checkTargets(this.className, this.targets, yTrue.shape, yPred.shape, this.axis);
    if (sampleWeight && (sampleWeight.rank !== 1 || sampleWeight.shape[0] !== yPred.shape[0])) {
      throw new BrickError(
        `${this.className}: sampleWeight must have shape [${yPred.shape[0]}] (one weight per example), received ${formatShape(sampleWeight.shape)}`,
        this.className,
      );
    }
  }
}
