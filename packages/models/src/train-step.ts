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
import type { OutputGradient } from './engine/executor.js';
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

/** Loss values [L, L_1, …] and gradients in trainableVariables order. Call inside a tidy. */
export function lossAndGrads(
  model: Model,
  { xs, ys, sampleWeight }: Batch,
): { losses: tf.Tensor1D; grads: tf.Tensor[] } {
  const exec = model.executor;
  const { ys: preds, tape, penalty: activity, masks } = exec.forward(xs, { training: true });
  const metrics = model.outputMetrics;
  const perOutput: tf.Scalar[] = [];
  const dys: OutputGradient[] = [];
  let total: tf.Scalar | null = null;
  model.compiledOutputs.forEach(({ loss, weight }, k) => {
    const y = ys[k] as tf.Tensor;
    const p = preds[k] as tf.Tensor;
    const w = maskedWeight(masks[k] ?? null, sampleWeight);
    for (const m of metrics[k] ?? []) m.update(y, p, w as tf.Tensor1D | undefined);
    const value = loss.value(y, p, w);
    perOutput.push(value);
    const activation = exec.fusableActivation(k);
    const fused = activation ? loss.fusedGrad?.(activation, y, p, w) : undefined;
    let dy = fused ?? loss.grad(y, p, w);
    if (weight !== 1) dy = tf.mul(dy, weight);
    const weighted = weight === 1 ? value : (tf.mul(value, weight) as tf.Scalar);
    total = total ? (tf.add(total, weighted) as tf.Scalar) : weighted;
    dys.push(fused ? { dy, preActivation: true } : { dy });
  });
  const { grads: byVariable } = exec.backward(dys, tape, { inputGrads: false });

  let value = (activity ? tf.add(total as unknown as tf.Scalar, activity) : total) as tf.Scalar;
  for (const brick of model.bricks()) {
    for (const [key, reg] of Object.entries(brick.regularizers()) as [string, Regularizer | undefined][]) {
      const param = brick.params[key];
      if (!reg || !param) continue;
      const g = byVariable.get(param);
      byVariable.set(param, g ? tf.add(g, reg.grad(param)) : reg.grad(param));
      value = tf.add(value, reg.value(param));
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
  return { losses: lossVector(value, perOutput), grads };
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
export function evalStep(model: Model, { xs, ys, sampleWeight }: Batch): tf.Tensor1D {
  return tf.tidy(() => {
    const { ys: preds, penalty: activity, masks } = model.executor.forward(xs, { training: false });
    const metrics = model.outputMetrics;
    const perOutput: tf.Scalar[] = [];
    let total: tf.Scalar | null = null;
    model.compiledOutputs.forEach(({ loss, weight }, k) => {
      const y = ys[k] as tf.Tensor;
      const p = preds[k] as tf.Tensor;
      const w = maskedWeight(masks[k] ?? null, sampleWeight);
      for (const m of metrics[k] ?? []) m.update(y, p, w as tf.Tensor1D | undefined);
      const value = loss.value(y, p, w);
      perOutput.push(value);
      const weighted = weight === 1 ? value : (tf.mul(value, weight) as tf.Scalar);
      total = total ? (tf.add(total, weighted) as tf.Scalar) : weighted;
    });
    let value = (activity ? tf.add(total as unknown as tf.Scalar, activity) : total) as tf.Scalar;
    const p = penalties(model);
    if (p) value = tf.add(value, p);
    return tf.mul(lossVector(value, perOutput), xs[0]?.shape[0] as number) as tf.Tensor1D;
  });
}

/** Inference forward only. */
export function predictStep(model: Model, xs: tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() => model.executor.forward(xs, { training: false }).ys);
}
