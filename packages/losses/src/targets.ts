/**
 * What targets fit which loss, checked on shapes alone (no read back): element-wise and categorical
 * losses want yTrue shaped like yPred; sparse ones want integer class indices, yPred's shape without the
 * class axis (or with a trailing 1). Sparse label values are checked apart (checkSparseLabels): that
 * takes one read back, so it runs once before training, not per batch.
 */
import { BrickError, formatShape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
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

/** Row-major position of flat `index` in `shape`: 7 in [3, 4] is [1, 3]. */
function unravel(index: number, shape: readonly number[]): number[] {
  const at: number[] = [];
  let rest = index;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i] as number;
    at.unshift(rest % d);
    rest = Math.floor(rest / d);
  }
  return at;
}

/** Entry i of a 1-D tensor (one small read back). */
async function readAt(t: tf.Tensor, i: number): Promise<number> {
  const one = tf.slice(t, [i], [1]);
  try {
    return (await one.data())[0] as number;
  } finally {
    one.dispose();
  }
}

/**
 * Refuses sparse labels that are not class indices in [0, classes) (nor `ignoreClass`): 10 for 10 classes,
 * -1 or 2.5 would otherwise train silently as an all-zero one-hot row. The test runs on the device; one
 * int32 is read back (the flat index of the first bad label), and a second read only when one is found.
 * Throws a BrickError naming `who`, the first bad label and its index.
 *
 * @example
 * await checkSparseLabels('fit: SparseCategoricalCrossentropy', labels, 10); // labels [0, 10, 3] throws:
 * // "... labels must be integer class indices in [0, 10), received 10 at index 1"
 */
export async function checkSparseLabels(
  who: string,
  yTrue: tf.Tensor,
  classes: number,
  ignoreClass?: number | null,
): Promise<void> {
  const n = yTrue.size;
  if (n === 0) return;
  const [y, first] = tf.tidy(() => {
    const flat = tf.reshape(yTrue.dtype === 'float32' ? yTrue : tf.cast(yTrue, 'float32'), [n]);
    let bad = tf.logicalOr(
      tf.logicalOr(tf.less(flat, 0), tf.greaterEqual(flat, classes)),
      tf.notEqual(flat, tf.floor(flat)), // also true for NaN
    );
    if (ignoreClass !== undefined && ignoreClass !== null) bad = tf.logicalAnd(bad, tf.notEqual(flat, ignoreClass));
    // The smallest flat index of a bad label, n when none (int32: exact for any tensor size).
    const index = tf.range(0, n, 1, 'int32');
    return [tf.keep(flat), tf.min(tf.where(bad, index, tf.fill([n], n, 'int32')))] as const;
  });
  try {
    const at = (await first.data())[0] as number;
    if (at >= n) return;
    const label = await readAt(y, at);
    const where = yTrue.rank > 1 ? formatShape(unravel(at, yTrue.shape)) : String(at);
    const ignored = ignoreClass === undefined || ignoreClass === null ? '' : ` (or ignoreClass ${ignoreClass})`;
    throw new BrickError(
      `${who}: labels must be integer class indices in [0, ${classes})${ignored}, received ${label} at index ${where}`,
      who,
    );
  } finally {
    tf.dispose([y, first]);
  }
}

/**
 * checkSparseLabels for a loss whose targets are sparse class indices (the class count is the last
 * entry of `yPredShape`, with or without the batch axis; the loss' ignoreClass is honoured); resolves at
 * once, with no read back, for any other loss.
 *
 * @example
 * await validateLabels(lossFromSpec('sparseCategoricalCrossentropy'), labels, model.outputShapes[0]);
 */
export async function validateLabels(
  loss: Loss,
  yTrue: tf.Tensor,
  yPredShape: readonly number[],
  who: string = loss.className,
): Promise<void> {
  const { targets } = loss as Loss & { targets?: TargetKind };
  if (targets !== 'sparse') return;
  const ignoreClass = loss.config.ignoreClass;
  const classes = yPredShape[yPredShape.length - 1] as number;
  await checkSparseLabels(who, yTrue, classes, typeof ignoreClass === 'number' ? ignoreClass : null);
}
