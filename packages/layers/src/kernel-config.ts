/**
 * The config fields and penalty lookup shared by the bricks that own a kernel and a bias and fuse an
 * activation after them (Dense, Conv2D). Activity penalty, as Keras 3: P = reg(y)/N for a batch of N,
 * so dP/dy = reg'(y)/N.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ActivationName, activate, activationGrad } from './activations/functions.js';
import { Initializer } from './initializers.js';
import { makeRegularizer, type Regularizer, RegularizerConfig } from './regularizers.js';

const kernelShape = {
  /** Activation fused after the affine map. Default: linear. */
  activation: ActivationName.default('linear'),
  /** Add a bias vector. Default: true. */
  useBias: z.boolean().default(true),
  /** How the kernel is drawn at build time. Default: glorotUniform (Keras). */
  kernelInitializer: Initializer.default('glorotUniform'),
  /** How the bias is drawn. Default: zeros. */
  biasInitializer: Initializer.default('zeros'),
  /** Penalty on the kernel added to the loss. Default: none. */
  kernelRegularizer: RegularizerConfig.optional(),
  /** Penalty on the bias added to the loss. Default: none. */
  biasRegularizer: RegularizerConfig.optional(),
  /** Penalty on the output y added to the loss, divided by the batch size (Keras 3). Default: none. */
  activityRegularizer: RegularizerConfig.optional(),
};
type KernelShape = typeof kernelShape;
/** Config fields of the bricks with a kernel and a fused activation (an interface, so the .d.ts of each config names it and its fields keep their docs on hover). */
export interface KernelFields extends KernelShape {}
export const kernelFields: KernelFields = kernelShape;

export type KernelParams = { kernel: tf.Variable; bias?: tf.Variable };

/** The regularizers a kernel brick's config asks for, keyed by parameter. */
export function kernelRegularizers(
  config: { kernelRegularizer?: RegularizerConfig | undefined; biasRegularizer?: RegularizerConfig | undefined },
  params: KernelParams,
): Partial<Record<keyof KernelParams, Regularizer>> {
  // The training step asks every batch: build once per config.
  let made = cache.get(config);
  if (!made) {
    const { kernelRegularizer, biasRegularizer } = config;
    made = {
      ...(kernelRegularizer && { kernel: makeRegularizer(kernelRegularizer) }),
      ...(biasRegularizer && params.bias && { bias: makeRegularizer(biasRegularizer) }),
    };
    cache.set(config, made);
  }
  return made;
}

const cache = new WeakMap<object, Partial<Record<keyof KernelParams, Regularizer>>>();

/** A brick's activity penalty on its output y: its value and its gradient dP/dy. */
export interface ActivityPenalty {
  value(y: tf.Tensor): tf.Scalar;
  grad(y: tf.Tensor): tf.Tensor;
}

/** The activity penalty a kernel brick's config asks for, or null. */
export function activityPenalty(config: {
  activityRegularizer?: RegularizerConfig | undefined;
}): ActivityPenalty | null {
  const spec = config.activityRegularizer;
  if (!spec) return null;
  let made = activityCache.get(config);
  if (!made) {
    const reg = makeRegularizer(spec);
    // Keras 3 divides by the batch size, so the penalty's weight against the loss (a batch mean) and the
    // weight penalties does not change with the batch size; an empty batch has no penalty (divide_no_nan).
    const batch = (y: tf.Tensor) => Math.max(y.shape[0] ?? 1, 1);
    made = {
      value: (y) => tf.tidy(() => tf.div(reg.value(y), batch(y)) as tf.Scalar),
      grad: (y) => tf.tidy(() => tf.div(reg.grad(y), batch(y))),
    };
    activityCache.set(config, made);
  }
  return made;
}

const activityCache = new WeakMap<object, ActivityPenalty>();

/** What a brick with a fused activation keeps for its backward pass: the pre-activation z and the output y. */
export interface Activated {
  z: tf.Tensor;
  y: tf.Tensor;
}

type ActivityConfig = { activation: ActivationName; activityRegularizer?: RegularizerConfig | undefined };

/**
 * Whether brickml's product and convolution kernels can apply the activation in their epilogue (with the
 * bias): relu (whose derivative [z > 0] is [y > 0], so y can stand for z) and linear.
 */
export function fusable(activation: ActivationName): boolean {
  return activation === 'relu' || activation === 'linear';
}

/** y = act(z), and the activity penalty on y when the config asks for one (Dense, the convolutions). */
export function activateWithPenalty<T extends tf.Tensor>(config: ActivityConfig, z: T): { y: T; penalty?: tf.Scalar } {
  return withPenalty(config, (config.activation === 'linear' ? z : activate(config.activation, z)) as T);
}

/** y, already activated (by a kernel's epilogue: fusable), and the activity penalty on it when asked for. */
export function withPenalty<T extends tf.Tensor>(
  config: { activityRegularizer?: RegularizerConfig | undefined },
  y: T,
): { y: T; penalty?: tf.Scalar } {
  const activity = activityPenalty(config);
  return activity ? { y, penalty: activity.value(y) } : { y };
}

/** dz from dy: act'(z)ᵀ(dy + dP/dy), P the activity penalty. */
export function preActivationGrad(config: ActivityConfig, dy: tf.Tensor, { z, y }: Activated): tf.Tensor {
  const activity = activityPenalty(config);
  return activationGrad(config.activation, activity ? tf.add(dy, activity.grad(y)) : dy, z, y);
}

/**
 * dz from a loss's fused gradient at the pre-activation, plus the activity penalty's gradient (on y) carried
 * through the activation: dz + act'(z)ᵀ·dP/dy.
 */
export function withActivityGrad(config: ActivityConfig, dz: tf.Tensor, { z, y }: Activated): tf.Tensor {
  const activity = activityPenalty(config);
  return activity ? tf.add(dz, activationGrad(config.activation, activity.grad(y), z, y)) : dz;
}
