/**
 * RMSprop (Keras 3): s ← ρ·s + (1-ρ)·g²; centered: ḡ ← ρ·ḡ + (1-ρ)·g and d = s - ḡ² + ε, else d = s + ε;
 * Δ = lr·g/√d; with momentum m: u ← m·u + Δ, w ← w - u; without: w ← w - Δ. ε sits inside the root
 * (as in Keras and tfjs), all slots start at zero.
 */
import { configObject, positiveNumber } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseOptimizer, optimizerFields, type StepContext } from './base.js';
import { inInterval } from './interval.js';

export const RMSpropConfig = configObject(optimizerFields(0.001), {
  /** Discount ρ of the running mean of squared gradients. Default 0.9. */
  rho: inInterval('[0, 1)').default(0.9),
  /** Momentum factor in [0, 1], as SGD's; 0 keeps no momentum slot. Default 0. */
  momentum: inInterval('[0, 1]').default(0),
  /** Small constant added to the denominator under the root. Default 1e-7. */
  epsilon: positiveNumber().default(1e-7),
  /** Normalize by the gradient's estimated variance instead of its second moment. Default false. */
  centered: z.boolean().default(false),
});
export type RMSpropConfig = z.input<typeof RMSpropConfig>;

type Slot = 'velocity' | 'momentum' | 'averageGradient';

/**
 * RMSprop: divides the gradient by a running root mean square of recent gradients.
 *
 * @example
 * const rmsprop = new RMSprop({ learningRate: 0.001, centered: true });
 * rmsprop.apply([w], [dw]);
 */
export class RMSprop extends BaseOptimizer<typeof RMSpropConfig, Slot> {
  constructor(config: RMSpropConfig = {}) {
    super('RMSprop', RMSpropConfig, config);
  }

  protected slotNames(): Slot[] {
    const { momentum, centered } = this.c;
    return [
      'velocity',
      ...(momentum > 0 ? (['momentum'] as const) : []),
      ...(centered ? (['averageGradient'] as const) : []),
    ];
  }

  protected update(w: tf.Variable, g: tf.Tensor, slots: Record<Slot, tf.Variable>, { lr, scalar }: StepContext) {
    const { rho, momentum, epsilon, centered } = this.c;
    const { velocity: s, momentum: u, averageGradient: gBar } = slots;
    const [rhoT, decayT] = [scalar(rho), scalar(1 - rho)];
    s.assign(tf.add(tf.mul(s, rhoT), tf.mul(tf.square(g), decayT)));
    let d = tf.add(s, scalar(epsilon));
    if (centered) {
      gBar.assign(tf.add(tf.mul(gBar, rhoT), tf.mul(g, decayT)));
      d = tf.sub(d, tf.square(gBar));
    }
    const delta = tf.div(tf.mul(g, scalar(lr)), tf.sqrt(d));
    if (momentum > 0) {
      u.assign(tf.add(tf.mul(u, scalar(momentum)), delta));
      w.assign(tf.sub(w, u));
    } else {
      w.assign(tf.sub(w, delta));
    }
  }
}
