/**
 * Nadam (Keras 3): μₜ = β₁·(1 - ½·0.96ᵗ), Πₜ = μ₁·…·μₜ; m ← m + (1-β₁)(g - m); v ← v + (1-β₂)(g² - v);
 * m̂ = μₜ₊₁·m/(1 - Πₜ·μₜ₊₁) + (1-μₜ)·g/(1 - Πₜ); v̂ = v/(1-β₂ᵗ); w ← w - lr·m̂/(√v̂ + ε).
 * The momentum cache Πₜ depends on t alone: a CPU number kept up to date from the step count (Keras
 * keeps it in a variable), so a saved state needs nothing beyond m, v and the step count.
 */
import { configObject, positiveNumber } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseOptimizer, optimizerFields, type StepContext } from './base.js';
import { inInterval } from './interval.js';

export const NadamConfig = configObject(optimizerFields(0.001), {
  /** Decay of the first-moment (mean) estimate; the momentum schedule μₜ tends to it. Default 0.9. */
  beta1: inInterval('[0, 1)').default(0.9),
  /** Decay of the second-moment (uncentered variance) estimate. Default 0.999. */
  beta2: inInterval('[0, 1)').default(0.999),
  /** Small constant added to √v̂. Default 1e-7. */
  epsilon: positiveNumber().default(1e-7),
});
export type NadamConfig = z.input<typeof NadamConfig>;

type Slot = 'momentum' | 'velocity';

/**
 * Nadam: Adam with Nesterov momentum, the momentum warming up along Keras' schedule μₜ.
 *
 * @example
 * const nadam = new Nadam({ learningRate: 0.002 });
 * nadam.apply([w], [dw]);
 */
export class Nadam extends BaseOptimizer<typeof NadamConfig, Slot> {
  /** Πₜ for t = cachedStep; steps are consecutive, so each costs one product. */
  private cachedStep = 0;
  private cachedProduct = 1;

  constructor(config: NadamConfig = {}) {
    super('Nadam', NadamConfig, config);
  }

  protected slotNames() {
    return ['momentum', 'velocity'] as const;
  }

  /** μₜ, Keras' momentum schedule. */
  private mu(t: number): number {
    return this.c.beta1 * (1 - 0.5 * 0.96 ** t);
  }

  /** Πₜ = μ₁·…·μₜ, restarted from 1 when t goes back (after setState). */
  private muProduct(t: number): number {
    if (t < this.cachedStep) [this.cachedStep, this.cachedProduct] = [0, 1];
    while (this.cachedStep < t) this.cachedProduct *= this.mu(++this.cachedStep);
    return this.cachedProduct;
  }

  protected update(
    w: tf.Variable,
    g: tf.Tensor,
    { momentum: m, velocity: v }: Record<Slot, tf.Variable>,
    step: StepContext,
  ) {
    const { beta1, beta2, epsilon } = this.c;
    const { lr, t } = step;
    const [muT, muNext, product] = [this.mu(t), this.mu(t + 1), this.muProduct(t)];
    m.assign(tf.add(m, tf.mul(tf.sub(g, m), 1 - beta1)));
    v.assign(tf.add(v, tf.mul(tf.sub(tf.square(g), v), 1 - beta2)));
    const mHat = tf.add(tf.mul(m, muNext / (1 - product * muNext)), tf.mul(g, (1 - muT) / (1 - product)));
    const vHat = tf.div(v, 1 - beta2 ** t);
    w.assign(tf.sub(w, tf.div(tf.mul(mHat, lr), tf.add(tf.sqrt(vHat), epsilon))));
  }
}
