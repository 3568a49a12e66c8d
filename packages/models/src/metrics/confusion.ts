/**
 * Confusion counts at T thresholds tₖ, over the flattened predictions (Keras' default for one-hot
 * multi-class outputs): tpₖ += Σ w·[y≠0]·[ŷ>tₖ], fpₖ += Σ w·[y=0]·[ŷ>tₖ], fnₖ += Σ w·[y≠0]·[ŷ≤tₖ],
 * w the sample weight of each element. With topK, ŷ outside the k largest of its last axis becomes
 * -1e10 first; with classId, only that column counts. Precision = tp/(tp+fp), recall = tp/(tp+fn).
 */
import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { accumulator, broadcastWeight, checkSameShape, notScalarError, readAll, type VectorMetric } from './metric.js';

/** What a prediction outside the top k becomes (Keras' NEG_INF), and the threshold topK alone uses. */
const NEG_INF = -1e10;

/** The config fields Precision and Recall share (Keras' thresholds, top_k, class_id). */
const confusionShape = {
  /**
   * A prediction above a threshold counts as positive; a list gives one value per threshold. Default:
   * 0.5, or with topK none: every prediction in the top k counts.
   */
  thresholds: z.union([z.number().min(0).max(1), z.array(z.number().min(0).max(1)).min(1)]).optional(),
  /** Only the k largest predictions of each example's last axis may count as positive. Default: all. */
  topK: z.int().positive().optional(),
  /** Count only this column of [N, C] outputs (a one-class binary metric). Default: every column. */
  classId: z.int().min(0).optional(),
};
type ConfusionShape = typeof confusionShape;
/** Config fields of Precision and Recall (an interface, so the .d.ts of each config names it and its fields keep their docs on hover). */
export interface ConfusionFields extends ConfusionShape {}
export const confusionFields: ConfusionFields = confusionShape;
type ConfusionConfig = { thresholds?: number | number[]; topK?: number; classId?: number };

/** ŷ where it is among the k largest of its last axis (lower index first on ties), NEG_INF elsewhere. */
function keepTopK(yPred: tf.Tensor, k: number): tf.Tensor {
  const classes = yPred.shape[yPred.rank - 1] as number;
  const { indices } = tf.topk(yPred, k); // [..., k]
  // Compared as [..., 1, k] against [C, 1] and reduced over the last axis: no oneHot (wasm returns int
  // bits for float32 ones) and no reduction over an inner int axis (webgpu's int32 transpose fails).
  const column = tf.reshape(tf.range(0, classes, 1, 'int32'), [classes, 1]);
  const kept = tf.any(tf.equal(tf.expandDims(indices, -2), column), -1);
  return tf.where(kept, yPred, tf.fill(yPred.shape, NEG_INF));
}

export abstract class ConfusionMetric implements VectorMetric {
  abstract readonly name: string;
  abstract readonly className: string;
  readonly scalar: boolean;
  readonly vectorReason: string;
  protected readonly thresholdList: number[];
  protected readonly tp: tf.Variable;
  protected readonly fp: tf.Variable;
  protected readonly fn: tf.Variable;
  private readonly options: ConfusionConfig;
  /** The thresholds as a [1, T] row, uploaded once. */
  private readonly thresholdRow: tf.Tensor2D;

  constructor(options: ConfusionConfig) {
    this.options = options;
    const { thresholds } = options;
    const fallback = options.topK === undefined ? 0.5 : NEG_INF;
    this.thresholdList = thresholds === undefined ? [fallback] : [thresholds].flat();
    this.scalar = this.thresholdList.length === 1;
    this.vectorReason = this.scalar
      ? ''
      : `${this.thresholdList.length} thresholds give one value each; give each threshold its own metric and name`;
    const t = this.thresholdList.length;
    this.thresholdRow = tf.tensor2d(this.thresholdList, [1, t]);
    this.tp = accumulator([t]);
    this.fp = accumulator([t]);
    this.fn = accumulator([t]);
  }

  /** The ratios read by results(), one per threshold, from the counts; called inside a tidy. */
  protected abstract ratio(): tf.Tensor1D;

  update(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void {
    checkSameShape(this.name, yTrue, yPred);
    const { topK, classId } = this.options;
    const classes = yPred.shape[yPred.rank - 1] as number;
    if (topK !== undefined && topK > classes) {
      throw new BrickError(
        `${this.name}: topK must be at most the last axis of yPred (${classes}), received ${topK}`,
        this.name,
      );
    }
    if (classId !== undefined && (yPred.rank < 2 || classId >= classes)) {
      throw new BrickError(
        `${this.name}: classId ${classId} needs predictions shaped [N, C] with C > ${classId}, received [${yPred.shape.join(', ')}]`,
        this.name,
      );
    }
    tf.tidy(() => {
      let w = broadcastWeight(this.name, yPred, sampleWeight);
      let y = yTrue;
      let p = topK === undefined ? yPred : keepTopK(yPred, topK);
      if (classId !== undefined) {
        const column = (x: tf.Tensor) =>
          tf.slice(x, [...x.shape.slice(0, -1).map(() => 0), classId], [...x.shape.slice(0, -1), 1]);
        [w, y, p] = [column(w), column(y), column(p)];
      }
      const weight = tf.reshape(w, [-1, 1]);
      const positive = tf.cast(tf.notEqual(tf.reshape(y, [-1, 1]), 0), 'float32');
      const above = tf.cast(tf.greater(tf.reshape(p, [-1, 1]), this.thresholdRow), 'float32');
      const wp = tf.mul(weight, positive); // [M, 1]
      const wn = tf.sub(weight, wp);
      this.tp.assign(tf.add(this.tp, tf.sum(tf.mul(above, wp), 0)));
      this.fp.assign(tf.add(this.fp, tf.sum(tf.mul(above, wn), 0)));
      this.fn.assign(tf.add(this.fn, tf.sum(tf.mul(tf.sub(1, above), wp), 0)));
    });
  }

  /** One value per threshold, in the order given. */
  results(): Promise<number[]> {
    return readAll(() => this.ratio());
  }

  async result(): Promise<number> {
    if (!this.scalar) throw notScalarError(this);
    const [value] = await this.results();
    return value as number;
  }

  reset(): void {
    tf.tidy(() => {
      for (const v of [this.tp, this.fp, this.fn]) v.assign(tf.zerosLike(v));
    });
  }

  dispose(): void {
    tf.dispose([this.thresholdRow, this.tp, this.fp, this.fn]);
  }
}
