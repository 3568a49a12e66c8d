/**
 * One training step, in one tf.tidy: forward through the model's executor (training) keeping the tape →
 * per output k, L_k = loss_k(y_k, ŷ_k) and dŷ_k = w_k·dL_k/dŷ_k (or dz_k, fused through the output brick's
 * activation) → backward through the tape → + penalty gradients → optimizer update. The total is
 * L = Σ_k w_k·L_k + Σ weight penalties + Σ activity penalties (the bricks add those gradients in backward).
 * Returns [L, L_1, …, L_K]·batch so the epoch sums stay on the device.
 */
import { BrickError } from '@brickml/core';
import type { Regularizer } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { accumulate, type OutputGradient } from './engine/executor.js';
import type { Model } from './model.js';

export interface Batch {
  xs: tf.Tensor[];
  ys: tf.Tensor[];
  sampleWeight?: tf.Tensor1D | undefined;
}

/** The summed weight penalties of every brick, or null when no brick has one. */
export function penalties(model: Model): tf.Scalar | null {
  let total: tf.Scalar | null = null;
  for (const brick of model.bricks()) {
    for (const [key, reg] of Object.entries(brick.regularizers()) as [string, Regularizer | undefined][]) {
      const v = reg?.value(brick.params[key] as tf.Variable);
      if (v) total = total ? (tf.add(total, v) as tf.Scalar) : v;
    }
  }
  return total;
}

/**
 * The weights of an output whose steps are masked, as Keras' apply_mask: masked steps weigh 0 and kept ones
 * total/kept, so the loss is the mean over the kept steps; times the sample weights, per example.
 */
export function maskedWeight(mask: tf.Tensor | null, sampleWeight: tf.Tensor | undefined): tf.Tensor | undefined {
  if (!mask) return sampleWeight;
  const m = tf.cast(mask, 'float32');
  let w = tf.mul(m, tf.div(m.size, tf.add(tf.sum(m), 1e-7)));
  if (sampleWeight) w = tf.mul(w, tf.reshape(sampleWeight, [-1, ...m.shape.slice(1).map(() => 1)]));
  return w;
}

/** [total, per-output...] as one vector: one device variable sums it over an epoch. */
function lossVector(total: tf.Scalar, perOutput: tf.Scalar[]): tf.Tensor1D {
  return (perOutput.length > 1 ? tf.stack([total, ...perOutput]) : tf.reshape(total, [1])) as tf.Tensor1D;
}

/** What one output contributes: its loss value, the weights it was taken with (mask × sample), its weight. */
interface OutputTerm {
  y: tf.Tensor;
  p: tf.Tensor;
  w: tf.Tensor | undefined;
  value: tf.Scalar;
}

/**
 * Every output's loss, with the metrics updated on the way, and the total L = Σ_k w_k·L_k + activity
 * penalties + weight penalties (Keras: the total includes the penalties in training and evaluation).
 */
function outputTerms(
  model: Model,
  { ys, sampleWeight }: Batch,
  preds: tf.Tensor[],
  masks: (tf.Tensor | null)[],
  activity: tf.Scalar | null,
): { terms: OutputTerm[]; losses: tf.Tensor1D } {
  const metrics = model.outputMetrics;
  const terms = model.compiledOutputs.map(({ loss }, k): OutputTerm => {
    const y = ys[k] as tf.Tensor;
    const p = preds[k] as tf.Tensor;
    const w = maskedWeight(masks[k] ?? null, sampleWeight);
    for (const m of metrics[k] ?? []) m.update(y, p, w);
    return { y, p, w, value: loss.value(y, p, w) };
  });
  let total = terms
    .map(({ value }, k) => {
      const weight = model.compiledOutputs[k]?.weight ?? 1;
      return weight === 1 ? value : (tf.mul(value, weight) as tf.Scalar);
    })
    .reduce((a, b) => tf.add(a, b) as tf.Scalar);
  if (activity) total = tf.add(total, activity);
  const weights = penalties(model);
  if (weights) total = tf.add(total, weights);
  return {
    terms,
    losses: lossVector(
      total,
      terms.map((t) => t.value),
    ),
  };
}

/** Loss values [L, L_1, …] and gradients in trainableVariables order. Call inside a tidy. */
export function lossAndGrads(model: Model, batch: Batch): { losses: tf.Tensor1D; grads: tf.Tensor[] } {
  const exec = model.executor;
  const { ys: preds, tape, penalty: activity, masks } = exec.forward(batch.xs, { training: true });
  const { terms, losses } = outputTerms(model, batch, preds, masks, activity);
  const dys = model.compiledOutputs.map(({ loss, weight }, k): OutputGradient => {
    const { y, p, w } = terms[k] as OutputTerm;
    const activation = exec.fusableActivation(k);
    const fused = activation ? loss.fusedGrad?.(activation, y, p, w) : undefined;
    let dy = fused ?? loss.grad(y, p, w);
    if (weight !== 1) dy = tf.mul(dy, weight);
    return fused ? { dy, preActivation: true } : { dy };
  });
  const { grads: byVariable } = exec.backward(dys, tape, { inputGrads: false });
  // Each brick's weight penalties, once however often it is called: their value is in `losses` already.
  for (const brick of model.bricks()) {
    for (const [key, reg] of Object.entries(brick.regularizers()) as [string, Regularizer | undefined][]) {
      const param = brick.params[key];
      if (reg && param) accumulate(byVariable, param, reg.grad(param));
    }
  }
  const grads = model.trainableVariables().map((v) => {
    const g = byVariable.get(v);
    if (!g) {
      const owner = model.bricks().find((b) => Object.values(b.params).includes(v));
      const where = owner ? `${owner.className} '${owner.name}'` : model.label;
      throw new BrickError(`${where}: backward returned no gradient for '${v.name}'`, where);
    }
    return g;
  });
  return { losses, grads };
}

/** Forward, backward and update for one batch; returns [L, L_1, …]·batch (a vector the caller owns). */
export function trainStep(model: Model, batch: Batch): tf.Tensor1D {
  return tf.tidy(() => {
    const { losses, grads } = lossAndGrads(model, batch);
    model.optimizer.apply(model.trainableVariables(), grads);
    return tf.mul(losses, batch.xs[0]?.shape[0] as number) as tf.Tensor1D;
  });
}

/** The first half of trainStep, for callers that read the loss before deciding to apply the update. */
export function computeStep(model: Model, batch: Batch): { lossSums: tf.Tensor1D; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const { losses, grads } = lossAndGrads(model, batch);
    return { lossSums: tf.mul(losses, batch.xs[0]?.shape[0] as number) as tf.Tensor1D, grads };
  });
}

/** Applies gradients from computeStep and disposes them. */
export function applyStep(model: Model, grads: tf.Tensor[]): void {
  tf.tidy(() => model.optimizer.apply(model.trainableVariables(), grads));
  tf.dispose(grads);
}

/** Inference forward for one batch: updates the metrics, returns [L, L_1, …]·batch (penalties in L, as Keras). */
export function evalStep(model: Model, batch: Batch): tf.Tensor1D {
  return tf.tidy(() => {
    const { ys: preds, penalty: activity, masks } = model.executor.forward(batch.xs, { training: false });
    const { losses } = outputTerms(model, batch, preds, masks, activity);
    return tf.mul(losses, batch.xs[0]?.shape[0] as number) as tf.Tensor1D;
  });
}

/** Inference forward only. */
export function predictStep(model: Model, xs: tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() => model.executor.forward(xs, { training: false }).ys);
}
