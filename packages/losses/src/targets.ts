/**
 * What targets fit which loss, checked on shapes alone (no read back): element-wise and categorical
 * losses want yTrue shaped like yPred; sparse ones want integer class indices, yPred's shape without the
 * class axis (or with a trailing 1).
 */
import { BrickError, formatShape } from '@brickml/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { Loss } from './loss.js';

/** 'elementwise' and 'categorical': yTrue shaped like yPred; 'sparse': class indices. */
export type TargetKind = 'elementwise' | 'categorical' | 'sparse';

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Throws a BrickError naming `who`, the expected and the received target shape. */
export function checkTargets(
  who: string,
  kind: TargetKind,
  yTrue: readonly number[],
  yPred: readonly number[],
  axis = -1,
): void {
  const fail = (expected: string, hint = '') => {
    throw new BrickError(
      `${who}: targets (yTrue) must have shape ${expected} for predictions of shape ${formatShape(yPred)}, received ${formatShape(yTrue)}${hint}`,
      who,
    );
  };
  if (yPred.length < 2) {
    throw new BrickError(
      `${who}: predictions must have a batch axis and at least one more, [batch, ...], received ${formatShape(yPred)}`,
      who,
    );
  }
  const outer = yPred.slice(0, -1);
  const classes = yPred[yPred.length - 1] as number;
  const looksSparse = same(yTrue, outer) || same(yTrue, [...outer, 1]);
  if (kind === 'sparse') {
    if (looksSparse) return;
    const hint = same(yTrue, yPred) ? ': these look like one-hot targets, use categoricalCrossentropy' : '';
    fail(`${formatShape(outer)} or ${formatShape([...outer, 1])} (integer class indices)`, hint);
  }
  if (same(yTrue, yPred)) return;
  if (kind === 'categorical' && classes > 1 && looksSparse && (axis === -1 || axis === yPred.length - 1)) {
    fail(
      formatShape(yPred),
      ': these look like integer class labels, use sparseCategoricalCrossentropy or one-hot encode them',
    );
  }
  const hint = same(yTrue, outer) && classes === 1 ? `: reshape the targets to ${formatShape(yPred)}` : '';
  fail(formatShape(yPred), hint);
}

/**
 * Checks, before training, that targets fit `loss` and its predictions: one-hot targets given to a
 * sparse loss, class indices given to a categorical one and shape mismatches for element-wise losses
 * throw a BrickError naming the loss, the expected and the received shapes. Losses that do not state
 * their target kind (user-written ones) only get the batch sizes compared.
 *
 * @example
 * validateTargets(lossFromSpec('sparseCategoricalCrossentropy'), labels, model.predict(x));
 */
export function validateTargets(loss: Loss, yTrue: tf.Tensor, yPred: tf.Tensor): void {
  const { targets, axis } = loss as Loss & { targets?: TargetKind; axis?: number };
  if (targets) {
    checkTargets(loss.className, targets, yTrue.shape, yPred.shape, axis ?? -1);
  } else if (yTrue.shape[0] !== yPred.shape[0]) {
    throw new BrickError(
      `${loss.className}: targets (yTrue) and predictions must have the same batch size, received ${formatShape(yTrue.shape)} and ${formatShape(yPred.shape)}`,
      loss.className,
    );
  }
}
