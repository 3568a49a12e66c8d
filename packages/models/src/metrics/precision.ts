/**
 * Precision = tp / (tp + fp) over the whole epoch, from weighted confusion counts at a threshold
 * (0 when nothing was counted, as Keras' divide-no-nan). See confusion.ts for the counts.
 */
import { parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfusionMetric } from './confusion.js';

export const PrecisionConfig = z.strictObject({
  /** Logs key. Default: 'precision'. */
  name: z.string().min(1).default('precision'),
  /** A prediction above it counts as positive. Default: 0.5. */
  thresholds: z.number().min(0).max(1).default(0.5),
});

/**
 * Fraction of predicted positives that are true positives (binary, or flattened one-hot outputs).
 * @example
 * const m = new Precision();
 * m.update(tf.tensor1d([1, 0, 1]), tf.tensor1d([0.9, 0.8, 0.1]));
 * await m.result(); // 0.5
 */
export class Precision extends ConfusionMetric {
  readonly className = 'Precision';
  readonly config: z.output<typeof PrecisionConfig>;
  readonly name: string;
  protected readonly threshold: number;

  constructor(config: z.input<typeof PrecisionConfig> = {}) {
    super();
    this.config = parseConfig('Precision', PrecisionConfig, config);
    this.name = this.config.name;
    this.threshold = this.config.thresholds;
  }

  protected ratio(): tf.Scalar {
    return tf.divNoNan(this.tp, tf.add(this.tp, this.fp));
  }
}
