/**
 * Adadelta (Keras 3): a ← ρ·a + (1-ρ)·g²; Δ = -g·√(d + ε)/√(a + ε) with a already updated;
 * d ← ρ·d + (1-ρ)·Δ²; w ← w + lr·Δ. Both accumulators start at zero. (tfjs-core's adadelta divides by
 * the accumulator before this step's g², √(a_prev + ε), so it differs from Keras from the first step.)
 */
import { configObject, positiveNumber } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseOptimizer, optimizerFields, type StepContext } from './base.js';
import { inInterval } from './interval.js';

export const AdadeltaConfig = configObject(optimizerFields(0.001), {
  /** Decay ρ of both running averages (squared gradients, squared updates). Default 0.95. */
  rho: inInterval('[0, 1)').default(0.95),
  /** Small constant inside both roots; it also sets the size of the first steps. Default 1e-7. */
  epsilon: positiveNumber().default(1e-7),
});
export type AdadeltaConfig = z.input<typeof AdadeltaConfig>;

type Slot = 'accumulatedGrad' | 'accumulatedDeltaVar';

/**
 * Adadelta: RMSprop whose step is scaled by the root mean square of recent updates, so that the
 * update has the units of the weights.
 *
 * @example
 * const adadelta = new Adadelta({ learningRate: 1, rho: 0.95 });
 * adadelta.apply([w], [dw]);
 */
export class Adadelta extends BaseOptimizer<typeof AdadeltaConfig, Slot> {
  constructor(config: AdadeltaConfig = {}) {
    super('Adadelta', AdadeltaConfig, config);
  }

  protected slotNames() {
    return ['accumulatedGrad', 'accumulatedDeltaVar'] as const;
  }

  protected update(w: tf.Variable, g: tf.Tensor, slots: Record<Slot, tf.Variable>, { lr }: StepContext) {
    const { rho, epsilon } = this.c;
    const { accumulatedGrad: a, accumulatedDeltaVar: d } = slots;
    const rms = (x: tf.Tensor) => tf.sqrt(tf.add(x, epsilon));
    a.assign(tf.add(tf.mul(a, rho), tf.mul(tf.square(g), 1 - rho)));
    const delta = tf.neg(tf.div(tf.mul(rms(d), g), rms(a)));
    d.assign(tf.add(tf.mul(d, rho), tf.mul(tf.square(delta), 1 - rho)));
    w.assign(tf.add(w, tf.mul(delta, lr)));
  }
}
