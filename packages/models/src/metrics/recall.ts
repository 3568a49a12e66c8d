/**
 * Recall = tp / (tp + fn) over the whole epoch, from weighted confusion counts, one value per
 * threshold (0 when nothing was counted, as Keras' divide-no-nan). See confusion.ts for the counts.
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ConfusionMetric, confusionFields } from './confusion.js';

export const RecallConfig = configObject(
  {
    /** Logs key. Default: 'recall'. */
    name: z.string().min(1).default('recall'),
  },
  confusionFields,
);

/**
 * Fraction of actual positives that are predicted positive (binary, or flattened one-hot outputs).
 * Several thresholds give one value each, read with `results()`; logs take one threshold only.
 * @example
 * const m = new Recall();
 * m.update(tf.tensor1d([1, 0, 1]), tf.tensor1d([0.9, 0.8, 0.1]));
 * await m.result(); // 0.5
 */
export class Recall extends ConfusionMetric {
  readonly className = 'Recall';
  readonly config: z.output<typeof RecallConfig>;
  readonly name: string;

  constructor(config: z.input<typeof RecallConfig> = {}) {
    const parsed = parseConfig('Recall', RecallConfig, config);
    super(parsed);
    this.config = parsed;
    this.name = parsed.name;
  }

  protected ratio(): tf.Tensor1D {
    return tf.divNoNan(this.tp, tf.add(this.tp, this.fn));
  }
}
