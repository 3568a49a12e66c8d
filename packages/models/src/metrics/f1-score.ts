/**
 * F1 score (Keras F1Score): per class c, from whole-epoch weighted counts tp_c, fp_c, fn_c,
 * P = tp/(tp+fp+ε), R = tp/(tp+fn+ε), F1 = 2·P·R/(P+R+ε), ε = 1e-7. A prediction is positive above
 * `threshold`, or, with none, where it is its row's maximum (and nonzero). Averaging: null → one F1 per
 * class; 'micro' → the counts summed over classes first; 'macro' → the mean of the per-class F1;
 * 'weighted' → their mean weighted by each class's support Σ w·y.
 */
import { BrickError, configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { accumulator, broadcastWeight, checkSameShape, notScalarError, readAll, type VectorMetric } from './metric.js';

const EPSILON = 1e-7;

export const F1ScoreConfig = configObject({
  /** Logs key. Default: 'f1_score'. */
  name: z.string().min(1).default('f1_score'),
  /**
   * How the per-class scores combine: 'micro', 'macro', 'weighted', or null for one score per class,
   * which logs cannot hold (read it with results()). Default: null (Keras).
   */
  average: z.enum(['micro', 'macro', 'weighted']).nullable().default(null),
  /** A prediction above it is positive, in (0, 1]; null: each row's highest score. Default: null. */
  threshold: z.number().gt(0).max(1).nullable().default(null),
});

type Counts = Record<'tp' | 'fp' | 'fn' | 'support', tf.Variable>;

/**
 * Harmonic mean of precision and recall for multi-class or multi-label outputs shaped [N, C].
 * @example
 * const f1 = new F1Score({ threshold: 0.5 });
 * f1.update(tf.tensor2d([[1, 1, 1], [1, 0, 0], [1, 1, 0]]), tf.tensor2d([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0]]));
 * await f1.results(); // [0.5, 0.8, 0.6666667]
 */
export class F1Score implements VectorMetric {
  readonly className = 'F1Score';
  readonly config: z.output<typeof F1ScoreConfig>;
  readonly name: string;
  readonly scalar: boolean;
  readonly vectorReason: string;
  /** Made at the first update, once the number of classes is known (scalars with 'micro'). */
  private counts: Counts | null = null;
  private classes = 0;

  constructor(config: z.input<typeof F1ScoreConfig> = {}) {
    this.config = parseConfig('F1Score', F1ScoreConfig, config);
    this.name = this.config.name;
    this.scalar = this.config.average !== null;
    this.vectorReason = this.scalar
      ? ''
      : "average null gives one score per class; average them with 'micro', 'macro' or 'weighted'";
  }

  update(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void {
    checkSameShape(this.name, yTrue, yPred);
    const classes = yPred.shape[1] as number;
    if (yPred.rank !== 2 || (this.counts !== null && classes !== this.classes)) {
      const expected = this.counts === null ? '[N, C]' : `[N, ${this.classes}] (as in the first update)`;
      throw new BrickError(
        `${this.name}: F1Score expects yTrue and yPred shaped ${expected}, received [${yPred.shape.join(', ')}]`,
        this.name,
      );
    }
    if (this.counts === null) {
      const shape = this.config.average === 'micro' ? [] : [classes];
      this.counts = {
        tp: accumulator(shape),
        fp: accumulator(shape),
        fn: accumulator(shape),
        support: accumulator(shape),
      };
      this.classes = classes;
    }
    const { tp, fp, fn, support } = this.counts;
    tf.tidy(() => {
      const { threshold } = this.config;
      const positive =
        threshold === null
          ? tf.logicalAnd(tf.greaterEqual(yPred, tf.max(yPred, -1, true)), tf.greater(tf.abs(yPred), 1e-9))
          : tf.greater(yPred, threshold);
      const p = tf.cast(positive, 'float32');
      const y = tf.cast(yTrue, 'float32');
      const w = broadcastWeight(this.name, yPred, sampleWeight);
      const axis = this.config.average === 'micro' ? undefined : 0;
      const add = (v: tf.Variable, x: tf.Tensor) => v.assign(tf.add(v, tf.sum(tf.mul(x, w), axis)));
      add(tp, tf.mul(p, y));
      add(fp, tf.mul(p, tf.sub(1, y)));
      add(fn, tf.mul(tf.sub(1, p), y));
      add(support, y);
    });
  }

  /** One F1 per class with average null, else the one averaged score; [] or [0] before any update. */
  results(): Promise<number[]> {
    const counts = this.counts;
    if (counts === null) return Promise.resolve(this.scalar ? [0] : []);
    return readAll(() => {
      const { tp, fp, fn, support } = counts;
      const precision = tf.div(tp, tf.add(tf.add(tp, fp), EPSILON));
      const recall = tf.div(tp, tf.add(tf.add(tp, fn), EPSILON));
      const f1 = tf.div(tf.mul(2, tf.mul(precision, recall)), tf.add(tf.add(precision, recall), EPSILON));
      if (this.config.average === 'weighted') {
        return tf.reshape(tf.sum(tf.mul(f1, tf.div(support, tf.add(tf.sum(support), EPSILON)))), [1]);
      }
      return this.config.average === null ? f1 : tf.reshape(tf.mean(f1), [1]);
    });
  }

  async result(): Promise<number> {
    if (!this.scalar) throw notScalarError(this);
    const [value] = await this.results();
    return value as number;
  }

  reset(): void {
    const counts = this.counts;
    if (counts === null) return;
    tf.tidy(() => {
      for (const v of Object.values(counts)) v.assign(tf.zerosLike(v));
    });
  }

  dispose(): void {
    if (this.counts !== null) tf.dispose(Object.values(this.counts));
    this.counts = null;
  }
}
