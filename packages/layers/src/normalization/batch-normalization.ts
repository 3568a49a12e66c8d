/**
 * BatchNormalization over the last axis: x̂ = (x - μ)/σ, σ = √(v + ε), y = γ·x̂ + β, with (μ, v) the batch
 * mean and biased variance in training, the moving statistics in inference; training also updates
 * m ← momentum·m + (1 - momentum)·μ and likewise the moving variance (the one side effect of a forward).
 * Backward, training: dx = (γ/σ)/N·(N·dy − Σdy − x̂·Σ(dy·x̂)); inference: dx = γ/σ·dy; both dγ = Σ dy·x̂, dβ = Σ dy.
 */
import { BrickError, configObject, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Initializer, makeVariable } from '../initializers.js';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { makeRegularizer, type Regularizer, RegularizerConfig } from '../regularizers.js';

export const BatchNormalizationConfig = configObject(baseConfig, {
  /** The feature axis that keeps its own statistics; only -1 (channels-last) is supported. Default: -1. */
  axis: z.literal(-1).default(-1),
  /** Weight of the old value in the moving statistics. Default: 0.99. */
  momentum: z.number().min(0).max(1).default(0.99),
  /** Added to the variance before the square root. Default: 0.001. */
  epsilon: z.number().positive().default(1e-3),
  /** Learn an offset β. Default: true. */
  center: z.boolean().default(true),
  /** Learn a scale γ. Default: true. */
  scale: z.boolean().default(true),
  /** Initial β. Default: zeros. */
  betaInitializer: Initializer.default('zeros'),
  /** Initial γ. Default: ones. */
  gammaInitializer: Initializer.default('ones'),
  /** Initial moving mean. Default: zeros. */
  movingMeanInitializer: Initializer.default('zeros'),
  /** Initial moving variance. Default: ones. */
  movingVarianceInitializer: Initializer.default('ones'),
  /** Penalty on β added to the loss. Default: none. */
  betaRegularizer: RegularizerConfig.optional(),
  /** Penalty on γ added to the loss. Default: none. */
  gammaRegularizer: RegularizerConfig.optional(),
});
export type BatchNormalizationConfig = z.input<typeof BatchNormalizationConfig>;

type BatchNormalizationParams = { gamma?: tf.Variable; beta?: tf.Variable };
interface BatchNormalizationCache {
  xHat: tf.Tensor;
  invSigma: tf.Tensor;
  training: boolean;
}

/**
 * Normalizes each feature (channel) to zero mean and unit variance over the batch, then rescales it by
 * learned γ and β; keeps moving statistics for inference.
 *
 * @example
 * const bn = new BatchNormalization();
 * bn.build([28, 28, 32]); // γ, β, moving mean and variance of shape [32]
 */
export class BatchNormalization extends BaseLayer<
  typeof BatchNormalizationConfig,
  BatchNormalizationParams,
  BatchNormalizationCache
> {
  constructor(config: BatchNormalizationConfig = {}) {
    super('BatchNormalization', BatchNormalizationConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length === 0) {
      throw new BrickError(`${this.label}: input must have a feature axis, received a scalar per example`, this.label);
    }
    const c = inputShape[inputShape.length - 1] as number;
    const { center, scale, betaInitializer, gammaInitializer, movingMeanInitializer, movingVarianceInitializer } =
      this.config;
    this.params = {};
    if (scale) this.params.gamma = makeVariable(this.name, 'gamma', gammaInitializer, [c]);
    if (center) this.params.beta = makeVariable(this.name, 'beta', betaInitializer, [c]);
    this.state = {
      movingMean: makeVariable(this.name, 'moving_mean', movingMeanInitializer, [c], false),
      movingVariance: makeVariable(this.name, 'moving_variance', movingVarianceInitializer, [c], false),
    };
    return inputShape;
  }

  override regularizers(): Partial<Record<keyof BatchNormalizationParams, Regularizer>> {
    const { betaRegularizer, gammaRegularizer } = this.config;
    return {
      ...(gammaRegularizer && this.params.gamma && { gamma: makeRegularizer(gammaRegularizer) }),
      ...(betaRegularizer && this.params.beta && { beta: makeRegularizer(betaRegularizer) }),
    };
  }

  forward(x: tf.Tensor, { training }: ForwardOptions): { y: tf.Tensor; cache: BatchNormalizationCache } {
    this.checkInput(x);
    return tf.tidy(() => {
      const { momentum, epsilon } = this.config;
      const { movingMean, movingVariance } = this.state as { movingMean: tf.Variable; movingVariance: tf.Variable };
      let mu: tf.Tensor = movingMean;
      let v: tf.Tensor = movingVariance;
      if (training) {
        ({ mean: mu, variance: v } = tf.moments(x, batchAxes(x)));
        movingMean.assign(tf.add(tf.mul(movingMean, momentum), tf.mul(mu, 1 - momentum)));
        movingVariance.assign(tf.add(tf.mul(movingVariance, momentum), tf.mul(v, 1 - momentum)));
      }
      const invSigma = tf.rsqrt(tf.add(v, epsilon));
      const xHat = tf.mul(tf.sub(x, mu), invSigma);
      let y = this.params.gamma ? tf.mul(xHat, this.params.gamma) : xHat;
      if (this.params.beta) y = tf.add(y, this.params.beta);
      return { y, cache: { xHat, invSigma, training } };
    });
  }

  backward(dy: tf.Tensor, { xHat, invSigma, training }: BatchNormalizationCache) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const axes = batchAxes(dy);
      const sumDy = tf.sum(dy, axes);
      const sumDyXHat = tf.sum(tf.mul(dy, xHat), axes);
      const gOverSigma = this.params.gamma ? tf.mul(this.params.gamma, invSigma) : invSigma;
      let dx: tf.Tensor;
      if (training) {
        const n = dy.size / (dy.shape[dy.shape.length - 1] as number);
        const centred = tf.sub(tf.sub(tf.mul(dy, n), sumDy), tf.mul(xHat, sumDyXHat));
        dx = tf.mul(tf.div(gOverSigma, n), centred);
      } else {
        dx = tf.mul(dy, gOverSigma);
      }
      const grads: { gamma?: tf.Tensor; beta?: tf.Tensor } = {};
      if (this.params.gamma) grads.gamma = sumDyXHat;
      if (this.params.beta) grads.beta = sumDy;
      return { dx, grads };
    });
  }
}

function batchAxes(x: tf.Tensor): number[] {
  return Array.from({ length: x.rank - 1 }, (_, i) => i);
}
