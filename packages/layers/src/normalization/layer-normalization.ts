/**
 * LayerNormalization over the axes A of each example (default the last): x̂ = (x − μ)·r with μ, v the mean
 * and biased variance over A and r = 1/√(v + ε); y = γ·x̂ + β, γ and β spanning A (the same in training
 * and inference). With g = γ·dy and means over A, backward:
 * dx = r·(g − mean(g) − x̂·mean(g·x̂)),  dγ = Σ_{other axes} dy·x̂,  dβ = Σ_{other axes} dy.
 */
import { BrickError, configObject, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Initializer, makeVariable } from '../initializers.js';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { makeRegularizer, type Regularizer, RegularizerConfig } from '../regularizers.js';

const AxisIndex = z.int({ error: 'must be an integer or a non-empty array of integers' });

export const LayerNormalizationConfig = configObject(baseConfig, {
  /**
   * The axis or axes normalized together, counted with the batch axis first (Keras' numbering: -1 is the
   * last, 0 the batch, which cannot be normalized over). Default: -1.
   */
  axis: z
    .union([AxisIndex, z.array(AxisIndex).min(1, { error: 'must be an integer or a non-empty array of integers' })], {
      error: 'must be an integer or a non-empty array of integers',
    })
    .default(-1),
  /** Added to the variance before the square root. Default: 0.001. */
  epsilon: z
    .number({ error: 'must be a positive number' })
    .positive({ error: 'must be a positive number' })
    .default(1e-3),
  /** Learn an offset β. Default: true. */
  center: z.boolean().default(true),
  /** Learn a scale γ. Default: true. */
  scale: z.boolean().default(true),
  /** Initial β. Default: zeros. */
  betaInitializer: Initializer.default('zeros'),
  /** Initial γ. Default: ones. */
  gammaInitializer: Initializer.default('ones'),
  /** Penalty on β added to the loss. Default: none. */
  betaRegularizer: RegularizerConfig.optional(),
  /** Penalty on γ added to the loss. Default: none. */
  gammaRegularizer: RegularizerConfig.optional(),
});
export type LayerNormalizationConfig = z.input<typeof LayerNormalizationConfig>;

type LayerNormalizationParams = { gamma?: tf.Variable; beta?: tf.Variable };
interface LayerNormalizationCache {
  xHat: tf.Tensor;
  /** r = 1/√(v + ε), one per example (size 1 along the normalized axes). */
  r: tf.Tensor;
}

/**
 * Normalizes each example to zero mean and unit variance over its feature axes (no batch statistics,
 * so training and inference agree), then rescales by learned γ and β.
 *
 * @example
 * const ln = new LayerNormalization();
 * ln.build([10, 64]); // γ and β of shape [64]; each of the 10 steps normalized over its 64 features
 */
export class LayerNormalization extends BaseLayer<
  typeof LayerNormalizationConfig,
  LayerNormalizationParams,
  LayerNormalizationCache
> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  /** The normalized axes of the batched input, in increasing order. */
  private axes: number[] = [];
  /** γ and β reshaped to broadcast against the batched input: 1 on the other axes. */
  private broadcastShape: number[] = [];

  constructor(config: LayerNormalizationConfig = {}) {
    super('LayerNormalization', LayerNormalizationConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    const rank = inputShape.length + 1;
    const given = typeof this.config.axis === 'number' ? [this.config.axis] : this.config.axis;
    const where = `for the input ${formatShape([null, ...inputShape])}`;
    const axes = given.map((a) => (a < 0 ? a + rank : a));
    const range = rank === 2 ? '1 or -1' : `1 to ${rank - 1} or -${rank - 1} to -1`;
    axes.forEach((a, i) => {
      if (a < 1 || a >= rank) {
        throw new BrickError(
          `${this.label}: axis ${given[i]} is not a feature axis ${where}: expected ${range} (0 is the batch)`,
          this.label,
        );
      }
    });
    if (axes.some((a, i) => i > 0 && a <= (axes[i - 1] as number))) {
      throw new BrickError(
        `${this.label}: axis ${formatShape(given)} must name distinct axes in increasing order ${where} (γ and β follow that order)`,
        this.label,
      );
    }
    if (axes.some((a) => inputShape[a - 1] === null)) {
      throw new BrickError(
        `${this.label}: axis ${formatShape(given)} spans a free axis ${where}: γ and β need a size on every normalized axis`,
        this.label,
      );
    }
    this.axes = axes;
    this.broadcastShape = Array.from({ length: rank }, (_, i) =>
      axes.includes(i) ? (inputShape[i - 1] as number) : 1,
    );
    const paramShape = axes.map((a) => inputShape[a - 1] as number);
    const { center, scale, betaInitializer, gammaInitializer } = this.config;
    this.params = {};
    if (scale) this.params.gamma = makeVariable(this.name, 'gamma', gammaInitializer, paramShape);
    if (center) this.params.beta = makeVariable(this.name, 'beta', betaInitializer, paramShape);
    return inputShape;
  }

  override regularizers(): Partial<Record<keyof LayerNormalizationParams, Regularizer>> {
    const { betaRegularizer, gammaRegularizer } = this.config;
    return {
      ...(gammaRegularizer && this.params.gamma && { gamma: makeRegularizer(gammaRegularizer) }),
      ...(betaRegularizer && this.params.beta && { beta: makeRegularizer(betaRegularizer) }),
    };
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: LayerNormalizationCache } {
    this.checkInput(x);
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, this.axes, true);
      const r = tf.rsqrt(tf.add(variance, this.config.epsilon));
      const xHat = tf.mul(tf.sub(x, mean), r);
      const { gamma, beta } = this.params;
      let y = gamma ? tf.mul(xHat, this.spread(gamma)) : xHat;
      if (beta) y = tf.add(y, this.spread(beta));
      return { y, cache: { xHat, r } };
    });
  }

  backward(dy: tf.Tensor, { xHat, r }: LayerNormalizationCache) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const { gamma, beta } = this.params;
      const g = gamma ? tf.mul(dy, this.spread(gamma)) : dy;
      const centred = tf.sub(
        tf.sub(g, tf.mean(g, this.axes, true)),
        tf.mul(xHat, tf.mean(tf.mul(g, xHat), this.axes, true)),
      );
      const dx = tf.mul(r, centred);
      // Parameter gradients sum over every axis that is not normalized (the batch included).
      const others = Array.from({ length: dy.rank }, (_, i) => i).filter((i) => !this.axes.includes(i));
      const collect = (t: tf.Tensor, like: tf.Variable) => tf.reshape(tf.sum(t, others), like.shape);
      const grads: { gamma?: tf.Tensor; beta?: tf.Tensor } = {};
      if (gamma) grads.gamma = collect(tf.mul(dy, xHat), gamma);
      if (beta) grads.beta = collect(dy, beta);
      return { dx, grads };
    });
  }

  /** γ or β (shaped like the normalized axes) reshaped to broadcast against the batched input. */
  private spread(v: tf.Variable): tf.Tensor {
    return tf.reshape(v, this.broadcastShape);
  }
}
