/**
 * Recall = tp / (tp + fn) over the whole epoch, from weighted confusion counts at a threshold
 * (0 when nothing was counted, as Keras' divide-no-nan). See confusion.ts for the counts.
 */
import { parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfusionMetric } from './confusion.js';

export const RecallConfig = z.strictObject({
  /** Logs key. Default: 'recall'. */
  name: z.string().min(1).default('recall'),
  /** A prediction above it counts as positive. Default: 0.5. */
  thresholds: z.number().min(0).max(1).default(0.5),
});

/**
 * Fraction of actual positives that are predicted positive (binary, or flattened one-hot outputs).
 * @example
 * const m = new Recall();
 * m.update(tf.tensor1d([1, 0, 1]), tf.tensor1d([0.9, 0.8, 0.1]));
 * await m.result(); // 0.5
 */
export class Recall extends ConfusionMetric {
  readonly className = 'Recall';
  readonly config: z.output<typeof RecallConfig>;
  readonly name: string;
  protected readonly threshold: number;

  constructor(config: z.input<typeof RecallConfig> = {}) {
    super();
    this.config = parseConfig('Recall', RecallConfig, config);
    this.name = this.config.name;
    this.threshold = this.config.thresholds;
  }

  protected ratio(): tf.Scalar {
    return tf.divNoNan(this.tp, tf.add(this.tp, this.fn));
  }
}
