/**
 * One training step, in one tf.tidy: forward through the bricks (training) keeping each cache →
 * L = loss(y, ŷ) + Σ penalties → dŷ = dL/dŷ (or dz, fused through the last activation) → backward in
 * reverse, each brick's dx the next dy → + penalty gradients → optimizer update. Returns L·batch so the
 * epoch sum stays on the device.
 */
import { BrickError } from '@brickml/core';
import type { Layer } from '@brickml/layers';
import type { Loss } from '@brickml/losses';
import type { Optimizer } from '@brickml/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import type { Metric } from './types.js';

export interface StepModel {
  readonly layers: readonly Layer[];
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly metrics: readonly Metric[];
}

export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
  sampleWeight?: tf.Tensor1D | undefined;
}

/** A last brick whose activation the loss may fuse with (Dense has one). */
interface Fusable {
  activation?: unknown;
  backwardFromPreActivation?(dz: tf.Tensor, cache: unknown): { dx: tf.Tensor; grads: Record<string, tf.Tensor> };
}

/** Every trainable variable, brick by brick, in params order: the order gradients come back in. */
export function trainableVariables(layers: readonly Layer[]): tf.Variable[] {
  return layers.flatMap((layer) => Object.values(layer.params));
}

/** The summed weight penalties of every brick, or null when no brick has one. */
export function penalties(layers: readonly Layer[]): tf.Scalar | null {
  let total: tf.Scalar | null = null;
  for (const layer of layers) {
    for (const [key, reg] of Object.entries(layer.regularizers())) {
      const v = reg?.value(layer.params[key] as tf.Variable);
      if (v) total = total ? (tf.add(total, v) as tf.Scalar) : v;
    }
  }
  return total;
}

function forward(layers: readonly Layer[], x: tf.Tensor, training: boolean) {
  const caches: unknown[] = [];
  let y = x;
  for (const layer of layers) {
    const out = layer.forward(y, { training });
    caches.push(out.cache);
    y = out.y;
  }
  return { y, caches };
}

/** Loss (batch mean plus penalties) and gradients in trainableVariables order. Call inside a tidy. */
export function lossAndGrads(model: StepModel, { x, y, sampleWeight }: Batch): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const { layers, loss } = model;
  const { y: yPred, caches } = forward(layers, x, true);
  for (const m of model.metrics) m.update(y, yPred, sampleWeight);
  let value = loss.value(y, yPred, sampleWeight);

  const last = layers[layers.length - 1] as Layer & Fusable;
  const fused =
    typeof last.activation === 'string' && typeof last.backwardFromPreActivation === 'function'
      ? loss.fusedGrad?.(last.activation, y, yPred, sampleWeight)
      : undefined;
  let dy = fused ?? loss.grad(y, yPred, sampleWeight);
  const perLayer: Record<string, tf.Tensor>[] = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as Layer;
    if (i === layers.length - 1 && fused) {
      const out = (last.backwardFromPreActivation as NonNullable<Fusable['backwardFromPreActivation']>)(dy, caches[i]);
      perLayer[i] = out.grads;
      dy = out.dx;
    } else if (i === 0 && layer.paramGrads) {
      // Nothing reads the first brick's input gradient.
      perLayer[i] = layer.paramGrads(dy, caches[i]);
    } else {
      const out = layer.backward(dy, caches[i]);
      perLayer[i] = out.grads;
      dy = out.dx;
    }
  }

  const grads: tf.Tensor[] = [];
  layers.forEach((layer, i) => {
    const regs = layer.regularizers() as Record<
      string,
      { value(w: tf.Tensor): tf.Scalar; grad(w: tf.Tensor): tf.Tensor }
    >;
    for (const [key, param] of Object.entries(layer.params)) {
      let g = perLayer[i]?.[key];
      if (!g) throw new BrickError(`${layer.className} '${layer.name}': backward returned no gradient for '${key}'`);
      const reg = regs[key];
      if (reg) {
        g = tf.add(g, reg.grad(param));
        value = tf.add(value, reg.value(param));
      }
      grads.push(g);
    }
  });
  return { loss: value, grads };
}

/** Forward, backward and update for one batch; returns loss·batch (a scalar the caller owns). */
export function trainStep(model: StepModel, batch: Batch): tf.Scalar {
  return tf.tidy(() => {
    const { loss, grads } = lossAndGrads(model, batch);
    model.optimizer.apply(trainableVariables(model.layers), grads);
    return tf.mul(loss, batch.x.shape[0] as number) as tf.Scalar;
  });
}

/** The first half of trainStep, for callers that read the loss before deciding to apply the update. */
export function computeStep(model: StepModel, batch: Batch): { lossSum: tf.Scalar; grads: tf.Tensor[] } {
  return tf.tidy(() => {
    const { loss, grads } = lossAndGrads(model, batch);
    return { lossSum: tf.mul(loss, batch.x.shape[0] as number) as tf.Scalar, grads };
  });
}

/** Applies gradients from computeStep and disposes them. */
export function applyStep(model: StepModel, grads: tf.Tensor[]): void {
  tf.tidy(() => model.optimizer.apply(trainableVariables(model.layers), grads));
  tf.dispose(grads);
}

/** Inference forward for one batch: updates the metrics, returns loss·batch (penalties included, as Keras). */
export function evalStep(model: StepModel, { x, y, sampleWeight }: Batch): tf.Scalar {
  return tf.tidy(() => {
    const { y: yPred } = forward(model.layers, x, false);
    for (const m of model.metrics) m.update(y, yPred, sampleWeight);
    let value = model.loss.value(y, yPred, sampleWeight);
    const p = penalties(model.layers);
    if (p) value = tf.add(value, p);
    return tf.mul(value, x.shape[0] as number) as tf.Scalar;
  });
}

/** Inference forward only. */
export function predictStep(layers: readonly Layer[], x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => forward(layers, x, false).y);
}
