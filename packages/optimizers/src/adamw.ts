/**
 * AdamW (Keras 3): Adam with decoupled weight decay on by default: w ← w - lr·wd·w before the Adam
 * step (the decay is the base loop's; AdamW only changes its default to 0.004).
 */
import { configObject, nonNegativeNumber } from '@brickml/core';
import type { z } from 'zod';
import { AdamBase, adamFields } from './adam.js';

export const AdamWConfig = configObject(adamFields, {
  /** Decoupled weight decay: w -= lr·weightDecay·w before each update. Default 0.004. */
  weightDecay: nonNegativeNumber().default(0.004),
});
export type AdamWConfig = z.input<typeof AdamWConfig>;

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter).
 *
 * @example
 * const adamw = new AdamW({ learningRate: 0.001, weightDecay: 0.01 });
 * adamw.apply([w], [dw]);
 */
export class AdamW extends AdamBase<typeof AdamWConfig> {
  constructor(config: AdamWConfig = {}) {
    super('AdamW', AdamWConfig, config);
  }
}
