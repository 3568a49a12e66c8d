/**
 * DepthwiseConv2D (channels-last): z[n,i,j,c·M+m] = Σ_{a,b} xp[n, i·s+a·d, j·s+b·d, c]·W[a,b,c,m] + b[c·M+m],
 * y = act(z): each input channel c has its own M kernels and no channels mix (xp: x zero-padded for 'same');
 * activity penalty A = reg(y)/N. Backward: dz = act'(z)ᵀ(dy + dA/dy); dx[·,c] = Σ_m (adjoint of the
 * convolution by W[·,·,c,m])(dz[·,c·M+m]); dW[a,b,c,m] = Σ_{n,i,j} xp[n, i·s+a·d, j·s+b·d, c]·dz[n,i,j,c·M+m];
 * db = Σ_{n,i,j} dz (depthwise-backprop.ts).
 */
import { BrickError, configObject, formatShape, positiveInt, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ActivationName, activationShape } from '../activations/functions.js';
import { FusedActivationLayer } from '../fused-activation.js';
import { Initializer, makeVariable } from '../initializers.js';
import { activateWithPenalty } from '../kernel-config.js';
import { baseConfig, type ForwardOptions } from '../layer.js';
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

export const DepthwiseConv2DConfig = configObject(baseConfig, {
  /** Window size, one number or [height, width]. */
  kernelSize: Pair,
  /** Step of the window. Default: 1. */
  strides: Pair.default(1),
  /** 'valid' (no padding) or 'same' (zero padding so that out = ⌈in/stride⌉). Default: 'valid'. */
  padding: Padding.default('valid'),
  /** Output channels per input channel: the output has channels·depthMultiplier. Default: 1. */
  depthMultiplier: positiveInt().default(1),
  /** Spacing between kernel taps (atrous convolution); > 1 needs strides 1. Default: 1. */
  dilationRate: Pair.default(1),
  /** Activation fused after the convolution. Default: linear. */
  activation: ActivationName.default('linear'),
  /** Add a bias vector. Default: true. */
  useBias: z.boolean().default(true),
  /** How the depthwise kernel is drawn at build time. Default: glorotUniform (Keras). */
  depthwiseInitializer: Initializer.default('glorotUniform'),
  /** How the bias is drawn. Default: zeros. */
  biasInitializer: Initializer.default('zeros'),
  /** Penalty on the depthwise kernel added to the loss. Default: none. */
  depthwiseRegularizer: RegularizerConfig.optional(),
  /** Penalty on the bias added to the loss. Default: none. */
  biasRegularizer: RegularizerConfig.optional(),
  /** Penalty on the output y added to the loss, divided by the batch size (Keras 3). Default: none. */
  activityRegularizer: RegularizerConfig.optional(),
});
export type DepthwiseConv2DConfig = z.input<typeof DepthwiseConv2DConfig>;

/** `kernel` [KH, KW, C, M] (Keras 3 calls it kernel; tfjs-layers depthwise_kernel), `bias` [C·M]. */
type DepthwiseConv2DParams = { kernel: tf.Variable; bias?: tf.Variable };
interface DepthwiseConv2DCache {
  x: tf.Tensor4D;
  z: tf.Tensor4D;
  y: tf.Tensor4D;
}

/**
 * A depthwise 2-D convolution brick: each input channel is convolved with its own `depthMultiplier`
 * kernels, and channels never mix. The first half of a SeparableConv2D; the workhorse of MobileNet.
 *
 * @example
 * const dw = new DepthwiseConv2D({ kernelSize: 3, padding: 'same', depthMultiplier: 2 });
 * dw.build([32, 32, 16]); // → [32, 32, 32]
 */
export class DepthwiseConv2D extends FusedActivationLayer<
  typeof DepthwiseConv2DConfig,
  DepthwiseConv2DParams,
  DepthwiseConv2DCache
> {
  private geometry!: Geometry;
  private penalties?: Partial<Record<keyof DepthwiseConv2DParams, Regularizer>>;

  constructor(config: DepthwiseConv2DConfig) {
    super('DepthwiseConv2D', DepthwiseConv2DConfig, config);
    checkStridesDilation(this.label, pair(this.config.strides), pair(this.config.dilationRate));
  }

  get activation(): ActivationName {
    return this.config.activation;
  }

  protected setup(inputShape: Shape): Shape {
    const { kernelSize, strides, dilationRate, padding, depthMultiplier, useBias } = this.config;
    const [k, s, d] = [pair(kernelSize), pair(strides), pair(dilationRate)];
    const window = windowShape(this.label, inputShape, 'kernel', k, s, d, padding);
    this.geometry = { k, s, d, ...window };
    const channels = inputShape[2] as number;
    const existing = this.params.kernel;
    if (existing && existing.shape[2] !== channels) {
      throw new BrickError(
        `${this.label}: input has ${channels} channels but the kernel ${formatShape(existing.shape)} expects ${existing.shape[2]}`,
        this.label,
      );
    }
    if (!existing) {
      const { depthwiseInitializer, biasInitializer } = this.config;
      this.params = {
        kernel: makeVariable(this.name, 'kernel', depthwiseInitializer, [k[0], k[1], channels, depthMultiplier]),
      };
      if (useBias) this.params.bias = makeVariable(this.name, 'bias', biasInitializer, [channels * depthMultiplier]);
    }
    return activationShape(this.activation, [window.rows.out, window.cols.out, channels * depthMultiplier], this.label);
  }

  override regularizers(): Partial<Record<keyof DepthwiseConv2DParams, Regularizer>> {
    const { depthwiseRegularizer, biasRegularizer } = this.config;
    // The training step asks every batch: build once, after build made the parameters.
    if (!this.built) return {};
    this.penalties ??= pickRegularizers({ kernel: depthwiseRegularizer, bias: biasRegularizer }, this.params);
    return this.penalties;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: DepthwiseConv2DCache; penalty?: tf.Scalar } {
    this.checkInput(x);
    return tf.tidy(() => {
      const { s, d } = this.geometry;
      const x4 = x as tf.Tensor4D;
      let z = tf.depthwiseConv2d(x4, this.params.kernel as tf.Tensor4D, s, this.config.padding, 'NHWC', d);
      if (this.params.bias) z = tf.add(z, this.params.bias);
      const { y, penalty } = activateWithPenalty(this.config, z);
      return { y, cache: { x: x4, z, y }, ...(penalty && { penalty }) };
    });
  }

  protected fromPreActivation(dz: tf.Tensor, { x }: DepthwiseConv2DCache) {
    const kernel = this.params.kernel as tf.Tensor4D;
    const dz4 = dz as tf.Tensor4D;
    const dx = depthwiseInputGrad(dz4, kernel, this.geometry, x.shape);
    const grads = { kernel: depthwiseKernelGrad(x, dz4, this.geometry, this.config.depthMultiplier) } as {
      kernel: tf.Tensor;
      bias?: tf.Tensor;
    };
    if (this.params.bias) grads.bias = tf.sum(dz4, [0, 1, 2]);
    return { dx, grads };
  }
}
