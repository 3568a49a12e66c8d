/**
 * The config fields and penalty lookup shared by the bricks that own a kernel and a bias and fuse an
 * activation after them (Dense, Conv2D).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ActivationName } from './activations/functions.js';
import { Initializer } from './initializers.js';
import { makeRegularizer, type Regularizer, RegularizerConfig } from './regularizers.js';

export const kernelFields = {
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
};

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
