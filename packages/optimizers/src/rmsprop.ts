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

  protected update(w: tf.Variable, g: tf.Tensor, slots: Record<Slot, tf.Variable>, { lr, runAll }: StepContext) {
    const { rho, momentum, epsilon, centered } = this.c;
    const { velocity: s, momentum: u, averageGradient: gBar } = slots;
    // Over g, s, w, then ḡ (centered) and u (momentum); each formula's result is the slot it updates, in order.
    const inputs = [g, s, w, ...(centered ? [gBar] : []), ...(momentum > 0 ? [u] : [])];
    const [G, S, W, GBar] = [0, 1, 2, 3].map(F.inputOf) as [F.Formula, F.Formula, F.Formula, F.Formula];
    const U = F.inputOf(centered ? 4 : 3);
    // s·ρ + g²·(1 - ρ); centered, ḡ·ρ + g·(1 - ρ) too
    const fs = [F.add(F.mul(S, F.constant(rho)), F.mul(F.square(G), F.constant(1 - rho)))];
    if (centered) fs.push(F.add(F.mul(GBar, F.constant(rho)), F.mul(G, F.constant(1 - rho))));
    // Δ = g·lr / √(s + ε [- ḡ²]) from the new s [and ḡ]; with momentum u·m + Δ, then w - u; else w - Δ
    const d = F.add(F.resultOf(0), F.constant(epsilon));
    const delta = F.div(F.mul(G, F.constant(lr)), F.sqrt(centered ? F.sub(d, F.square(F.resultOf(1))) : d));
    if (momentum > 0) {
      fs.push(F.add(F.mul(U, F.constant(momentum)), delta));
      fs.push(F.sub(W, F.resultOf(fs.length - 1)));
    } else {
      fs.push(F.sub(W, delta));
    }
    const next = runAll(fs, inputs);
    const updated = [s, ...(centered ? [gBar] : []), ...(momentum > 0 ? [u] : []), w];
    for (const [i, v] of updated.entries()) v.assign(next[i] as tf.Tensor);
  }
}
