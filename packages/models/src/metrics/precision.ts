/**
 * Precision = tp / (tp + fp) over the whole epoch, from weighted confusion counts, one value per
 * threshold (0 when nothing was counted, as Keras' divide-no-nan). See confusion.ts for the counts.
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfusionMetric, confusionFields } from './confusion.js';

export const PrecisionConfig = configObject(
  {
    /** Logs key. Default: 'precision'. */
    name: z.string().min(1).default('precision'),
  },
  confusionFields,
);

/**
 * Fraction of predicted positives that are true positives (binary, or flattened one-hot outputs).
 * Several thresholds give one value each, read with `results()`; logs take one threshold only.
 * @example
 * const m = new Precision();
 * m.update(tf.tensor1d([1, 0, 1]), tf.tensor1d([0.9, 0.8, 0.1]));
 * await m.result(); // 0.5
 */
export class Precision extends ConfusionMetric {
  readonly className = 'Precision';
  readonly config: z.output<typeof PrecisionConfig>;
  readonly name: string;

  constructor(config: z.input<typeof PrecisionConfig> = {}) {
    const parsed = parseConfig('Precision', PrecisionConfig, config);
    super(parsed);
    this.config = parsed;
    this.name = parsed.name;
  }

  protected ratio(): tf.Tensor1D {
    return tf.divNoNan(this.tp, tf.add(this.tp, this.fp));
  }
}
