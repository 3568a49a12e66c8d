/**
 * Adamax (Keras 3): m ← m + (1-β₁)(g - m); u ← max(β₂·u, |g|); w ← w - lr·m/((1-β₁ᵗ)·(u + ε)).
 * m and u start at zero; the bias correction 1-β₁ᵗ is a CPU number. tfjs-core's adamax is the same.
 */
import { configObject, positiveNumber } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseOptimizer, optimizerFields, type StepContext } from './base.js';
import { inInterval } from './interval.js';

export const AdamaxConfig = configObject(optimizerFields(0.001), {
  /** Decay of the first-moment (mean) estimate. Default 0.9. */
  beta1: inInterval('[0, 1)').default(0.9),
  /** Decay of the exponentially weighted infinity norm. Default 0.999. */
  beta2: inInterval('[0, 1)').default(0.999),
  /** Small constant added to the norm. Default 1e-7. */
  epsilon: positiveNumber().default(1e-7),
});
export type AdamaxConfig = z.input<typeof AdamaxConfig>;

type Slot = 'momentum' | 'norm';

/**
 * Adamax: Adam with the second moment replaced by a running infinity norm of the gradients.
 *
 * @example
 * const adamax = new Adamax({ learningRate: 0.002 });
 * adamax.apply([w], [dw]);
 */
export class Adamax extends BaseOptimizer<typeof AdamaxConfig, Slot> {
  constructor(config: AdamaxConfig = {}) {
    super('Adamax', AdamaxConfig, config);
  }

  protected slotNames() {
    return ['momentum', 'norm'] as const;
  }

  protected update(
    w: tf.Variable,
    g: tf.Tensor,
    { momentum: m, norm: u }: Record<Slot, tf.Variable>,
    step: StepContext,
  ) {
    const { beta1, beta2, epsilon } = this.c;
    const lrT = step.lr / (1 - beta1 ** step.t);
    m.assign(tf.add(m, tf.mul(tf.sub(g, m), 1 - beta1)));
    u.assign(tf.maximum(tf.mul(u, beta2), tf.abs(g)));
    w.assign(tf.sub(w, tf.div(tf.mul(m, lrT), tf.add(u, epsilon))));
  }
}
