/**
 * Adam (Keras 3 form): m ← m + (1-β₁)(g - m); v ← v + (1-β₂)(g² - v); amsgrad: v̂ ← max(v̂, v), used for v;
 * lr_t = lr·√(1-β₂ᵗ)/(1-β₁ᵗ); w ← w - lr_t·m/(√v + ε). (tfjs puts ε after the bias correction:
 * lr·m̂/(√v̂ + ε), the same update with ε scaled by √(1-β₂ᵗ).) Bias corrections are CPU numbers.
 */
import { configObject, formula as F, positiveNumber } from '@brickml/core';
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseOptimizer, type OptimizerFields, optimizerFields, type StepContext } from './base.js';
import { inInterval } from './interval.js';

const adamShape = {
  /** Decay of the first-moment (mean) estimate. Default 0.9. */
  beta1: inInterval('[0, 1)').default(0.9),
  /** Decay of the second-moment (uncentered variance) estimate. Default 0.999. */
  beta2: inInterval('[0, 1)').default(0.999),
  /** Small constant added to √v. Default 1e-7. */
  epsilon: positiveNumber().default(1e-7),
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad: z.boolean().default(false),
};
type AdamShape = typeof adamShape;
/** Config fields of Adam and AdamW (an interface, so the .d.ts of each config names it and its fields keep their docs on hover). */
export interface AdamFields extends OptimizerFields, AdamShape {}
export const adamFields: AdamFields = { ...optimizerFields(0.001), ...adamShape };

export const AdamConfig = configObject(adamFields);
export type AdamConfig = z.input<typeof AdamConfig>;

type Slot = 'momentum' | 'velocity' | 'velocityHat';

/** Adam's update on whichever config carries its fields (Adam, AdamW). */
export abstract class AdamBase<S extends z.ZodType<z.output<typeof AdamConfig>>> extends BaseOptimizer<S, Slot> {
  protected slotNames(): Slot[] {
    return this.c.amsgrad ? ['momentum', 'velocity', 'velocityHat'] : ['momentum', 'velocity'];
  }

  protected update(w: tf.Variable, g: tf.Tensor, slots: Record<Slot, tf.Variable>, { lr, t, runAll }: StepContext) {
    const { beta1, beta2, epsilon, amsgrad } = this.c;
    const { momentum: m, velocity: v, velocityHat: vHat } = slots;
    const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const [G, M, V, W, H] = [0, 1, 2, 3, 4].map(F.inputOf) as [F.Formula, F.Formula, F.Formula, F.Formula, F.Formula];
    const [m1, v1, vHat1] = [F.resultOf(0), F.resultOf(1), F.resultOf(2)];
    // m + (g - m)·(1 - β₁), v + (g² - v)·(1 - β₂) [, v̂ = max(v̂, v)], then w - m·lr_t / (√v + ε) (v̂ with amsgrad)
    const updates = [
      F.add(M, F.mul(F.sub(G, M), F.constant(1 - beta1))),
      F.add(V, F.mul(F.sub(F.square(G), V), F.constant(1 - beta2))),
      ...(amsgrad ? [F.maximum(H, v1)] : []),
    ];
    const step = F.div(F.mul(m1, F.constant(lrT)), F.add(F.sqrt(amsgrad ? vHat1 : v1), F.constant(epsilon)));
    const next = runAll([...updates, F.sub(W, step)], amsgrad ? [g, m, v, w, vHat] : [g, m, v, w]);
    for (const [i, slot] of [m, v, ...(amsgrad ? [vHat] : []), w].entries()) slot.assign(next[i] as tf.Tensor);
  }
}

/**
 * Adam: per-entry step sizes from running estimates of the gradient's first and second moments.
 *
 * @example
 * const adam = new Adam({ learningRate: 0.001 });
 * adam.apply([w], [dw]);
 */
export class Adam extends AdamBase<typeof AdamConfig> {
  constructor(config: AdamConfig = {}) {
    super('Adam', AdamConfig, config);
  }
}
