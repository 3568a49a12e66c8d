/**
 * SeparableConv2D (channels-last): u = depthwise(x; D) [N,OH,OW,C·M] (see depthwise-conv2d.ts), then a 1x1
 * convolution z[n,i,j,f] = Σ_k u[n,i,j,k]·P[0,0,k,f] + b[f], y = act(z); activity penalty A = reg(y)/N.
 * Backward: dz = act'(z)ᵀ(dy + dA/dy); with U = u as [N·OH·OW, C·M]: dP = Uᵀ·dz, du = dz·Pᵀ,
 * db = Σ_{n,i,j} dz; then the depthwise backward of du gives dx and dD (depthwise-backprop.ts).
 */
import { BrickError, columnSums, configObject, formatShape, positiveInt, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ActivationName, activationShape } from '../activations/functions.js';
import { FusedActivationLayer } from '../fused-activation.js';
import { Initializer, makeVariable } from '../initializers.js';
import { activateWithPenalty } from '../kernel-config.js';
import { baseConfig, type ForwardOptions } from '../layer.js';
import { matMulT } from '../ops.js';
import { type Regularizer, RegularizerConfig } from '../regularizers.js';
import {
  checkStridesDilation,
  type Geometry,
  Padding,
  Pair,
  pair,
  pickRegularizers,
  windowShape,
} from './conv-utils.js';
import { depthwiseInputGrad, depthwiseKernelGrad } from './depthwise-backprop.js';

export const SeparableConv2DConfig = configObject(baseConfig, {
  /** Number of output channels (pointwise kernels). */
  filters: positiveInt(),
  /** Depthwise window size, one number or [height, width]. */
  kernelSize: Pair,
  /** Step of the depthwise window. Default: 1. */
  strides: Pair.default(1),
  /** 'valid' (no padding) or 'same' (zero padding so that out = ⌈in/stride⌉). Default: 'valid'. */
  padding: Padding.default('valid'),
  /** Depthwise output channels per input channel. Default: 1. */
  depthMultiplier: positiveInt().default(1),
  /** Spacing between depthwise kernel taps; > 1 needs strides 1. Default: 1. */
  dilationRate: Pair.default(1),
  /** Activation fused after the pointwise convolution and bias. Default: linear. */
  activation: ActivationName.default('linear'),
  /** Add a bias vector after the pointwise convolution. Default: true. */
  useBias: z.boolean().default(true),
  /** How the depthwise kernel is drawn at build time. Default: glorotUniform (Keras). */
  depthwiseInitializer: Initializer.default('glorotUniform'),
  /** How the pointwise kernel is drawn at build time. Default: glorotUniform (Keras). */
  pointwiseInitializer: Initializer.default('glorotUniform'),
  /** How the bias is drawn. Default: zeros. */
  biasInitializer: Initializer.default('zeros'),
  /** Penalty on the depthwise kernel added to the loss. Default: none. */
  depthwiseRegularizer: RegularizerConfig.optional(),
  /** Penalty on the pointwise kernel added to the loss. Default: none. */
  pointwiseRegularizer: RegularizerConfig.optional(),
  /** Penalty on the bias added to the loss. Default: none. */
  biasRegularizer: RegularizerConfig.optional(),
  /** Penalty on the output y added to the loss, divided by the batch size (Keras 3). Default: none. */
  activityRegularizer: RegularizerConfig.optional(),
});
export type SeparableConv2DConfig = z.input<typeof SeparableConv2DConfig>;

/** Keras' weights in Keras' order: depthwise_kernel [KH,KW,C,M], pointwise_kernel [1,1,C·M,F], bias [F]. */
type SeparableConv2DParams = { depthwiseKernel: tf.Variable; pointwiseKernel: tf.Variable; bias?: tf.Variable };
interface SeparableConv2DCache {
  x: tf.Tensor4D;
  u: tf.Tensor4D;
  z: tf.Tensor4D;
  y: tf.Tensor4D;
}

/**
 * A depthwise separable 2-D convolution brick: a DepthwiseConv2D (no bias) followed by a 1x1 convolution
 * that mixes channels. Close to a Conv2D for far fewer weights (Xception, MobileNet).
 *
 * @example
 * const sep = new SeparableConv2D({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' });
 * sep.build([32, 32, 16]); // → [32, 32, 64], 3·3·16 + 16·64 + 64 weights
 */
export class SeparableConv2D extends FusedActivationLayer<
  typeof SeparableConv2DConfig,
  SeparableConv2DParams,
  SeparableConv2DCache
> {
  private geometry!: Geometry;
  private penalties?: Partial<Record<keyof SeparableConv2DParams, Regularizer>>;

  constructor(config: SeparableConv2DConfig) {
    super('SeparableConv2D', SeparableConv2DConfig, config);
    checkStridesDilation(this.label, pair(this.config.strides), pair(this.config.dilationRate));
  }

  get activation(): ActivationName {
    return this.config.activation;
  }

  protected setup(inputShape: Shape): Shape {
    const { filters, kernelSize, strides, dilationRate, padding, depthMultiplier: m, useBias } = this.config;
    const [k, s, d] = [pair(kernelSize), pair(strides), pair(dilationRate)];
    const window = windowShape(this.label, inputShape, 'kernel', k, s, d, padding);
    this.geometry = { k, s, d, ...window };
    const channels = inputShape[2] as number;
    const existing = this.params.depthwiseKernel;
    if (existing && existing.shape[2] !== channels) {
      throw new BrickError(
        `${this.label}: input has ${channels} channels but the depthwise kernel ${formatShape(existing.shape)} expects ${existing.shape[2]}`,
        this.label,
      );
    }
    if (!existing) {
      const { depthwiseInitializer, pointwiseInitializer, biasInitializer } = this.config;
      this.params = {
        depthwiseKernel: makeVariable(this.name, 'depthwise_kernel', depthwiseInitializer, [k[0], k[1], channels, m]),
        pointwiseKernel: makeVariable(this.name, 'pointwise_kernel', pointwiseInitializer, [
          1,
          1,
          channels * m,
          filters,
        ]),
      };
      if (useBias) this.params.bias = makeVariable(this.name, 'bias', biasInitializer, [filters]);
    }
    return activationShape(this.activation, [window.rows.out, window.cols.out, filters], this.label);
  }

  override regularizers(): Partial<Record<keyof SeparableConv2DParams, Regularizer>> {
    const { depthwiseRegularizer, pointwiseRegularizer, biasRegularizer } = this.config;
    // The training step asks every batch: build once, after build made the parameters.
    if (!this.built) return {};
    this.penalties ??= pickRegularizers(
      { depthwiseKernel: depthwiseRegularizer, pointwiseKernel: pointwiseRegularizer, bias: biasRegularizer },
      this.params,
    );
    return this.penalties;
  }

  /** The pointwise kernel as a matrix [C·M, F]. */
  private pointwise(): tf.Tensor2D {
    const [, , cm, f] = this.params.pointwiseKernel.shape as number[];
    return tf.reshape(this.params.pointwiseKernel, [cm as number, f as number]);
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: SeparableConv2DCache; penalty?: tf.Scalar } {
    this.checkInput(x);
    return tf.tidy(() => {
      const { s, d } = this.geometry;
      const x4 = x as tf.Tensor4D;
      const u = tf.depthwiseConv2d(x4, this.params.depthwiseKernel as tf.Tensor4D, s, this.config.padding, 'NHWC', d);
      const [n, oh, ow, cm] = u.shape;
      let z2 = tf.matMul(tf.reshape(u, [n * oh * ow, cm]), this.pointwise());
      if (this.params.bias) z2 = tf.add(z2, this.params.bias);
      const z = tf.reshape(z2, [n, oh, ow, this.config.filters]) as tf.Tensor4D;
      const { y, penalty } = activateWithPenalty(this.config, z);
      return { y, cache: { x: x4, u, z, y }, ...(penalty && { penalty }) };
    });
  }

  protected fromPreActivation(dz: tf.Tensor, { x, u }: SeparableConv2DCache) {
    const [n, oh, ow, cm] = u.shape;
    const dz2 = tf.reshape(dz, [n * oh * ow, this.config.filters]);
    const u2 = tf.reshape(u, [n * oh * ow, cm]);
    const pointwiseKernel = tf.reshape(tf.matMul(matMulT(u2), dz2), this.params.pointwiseKernel.shape);
    const du = tf.reshape(tf.matMul(dz2, matMulT(this.pointwise())), u.shape) as tf.Tensor4D;
    const depthwise = this.params.depthwiseKernel as tf.Tensor4D;
    const dx = depthwiseInputGrad(du, depthwise, this.geometry, x.shape);
    const grads = {
      depthwiseKernel: depthwiseKernelGrad(x, du, this.geometry, this.config.depthMultiplier),
      pointwiseKernel,
    } as { depthwiseKernel: tf.Tensor; pointwiseKernel: tf.Tensor; bias?: tf.Tensor };
    if (this.params.bias) grads.bias = columnSums(dz2 as tf.Tensor2D);
    return { dx, grads };
  }
}
