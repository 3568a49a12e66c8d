/**
 * RMSprop (Keras 3): s ← ρ·s + (1-ρ)·g²; centered: ḡ ← ρ·ḡ + (1-ρ)·g and d = s - ḡ² + ε, else d = s + ε;
 * Δ = lr·g/√d; with momentum m: u ← m·u + Δ, w ← w - u; without: w ← w - Δ. ε sits inside the root
 * (as in Keras and tfjs), all slots start at zero.
 */
import { configObject, formula as F, positiveNumber } from '@brickml/core';
import type * as tf from '@tensorflow/tfjs-core';
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

  protected update(w: tf.Variable, g: tf.Tensor, slots: Record<Slot, tf.Variable>, { lr, run }: StepContext) {
    const { rho, momentum, epsilon, centered } = this.c;
    const { velocity: s, momentum: u, averageGradient: gBar } = slots;
    const [G, X, Y] = [F.inputOf(0), F.inputOf(1), F.inputOf(2)];
    // s·ρ + g²·(1 - ρ); centered, ḡ·ρ + g·(1 - ρ) too
    s.assign(run(F.add(F.mul(X, F.constant(rho)), F.mul(F.square(G), F.constant(1 - rho))), [g, s]));
    if (centered) gBar.assign(run(F.add(F.mul(X, F.constant(rho)), F.mul(G, F.constant(1 - rho))), [g, gBar]));
    // Δ = g·lr / √(s + ε [- ḡ²]), over g, s [, ḡ]
    const d = F.add(X, F.constant(epsilon));
    const delta = F.div(F.mul(G, F.constant(lr)), F.sqrt(centered ? F.sub(d, F.square(Y)) : d));
    const read = centered ? [g, s, gBar] : [g, s];
    if (momentum > 0) {
      const U = F.inputOf(read.length);
      u.assign(run(F.add(F.mul(U, F.constant(momentum)), delta), [...read, u]));
      w.assign(run(F.sub(F.inputOf(0), F.inputOf(1)), [w, u]));
    } else {
      w.assign(run(F.sub(F.inputOf(read.length), delta), [...read, w]));
    }
  }
}
