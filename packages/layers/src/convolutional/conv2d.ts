/**
 * Conv2D (channels-last): z[n,i,j,f] = Σ_{kh,kw,c} xp[n, i·s+kh·d, j·s+kw·d, c]·W[kh,kw,c,f] + b[f], y = act(z)
 * (xp: x zero-padded for 'same'); with an activity regularizer, penalty P = reg(y)/N (see kernel-config.ts).
 * Backward: dz = act'(z)ᵀ(dy + dP/dy); dx = conv2dTranspose(dz, W) (the adjoint);
 * dW = P(x)ᵀ·dz with P(x) the im2col patch matrix [N·OH·OW, KH·KW·C]; db = Σ_{n,i,j} dz.
 * Both without Conv2DBackpropFilter, which wasm lacks (see conv2d-backprop.ts).
 */
import { BrickError, configObject, conv2d, formatShape, ownMatMul, positiveInt, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { type ActivationName, activationShape } from '../activations/functions.js';
import { FusedActivationLayer } from '../fused-activation.js';
import { makeVariable } from '../initializers.js';
import {
  activateWithPenalty,
  fusable,
  type KernelParams,
  kernelFields,
  kernelRegularizers,
  preActivationGrad,
  withPenalty,
} from '../kernel-config.js';
import { baseConfig, type ForwardOptions } from '../layer.js';
import type { Regularizer } from '../regularizers.js';
import { Padding, Pair, pair, windowShape } from './conv-utils.js';
import { inputGrad, paramGrads } from './conv2d-backprop.js';

export const Conv2DConfig = configObject(
  baseConfig,
  {
    /** Number of output channels (kernels). */
    filters: positiveInt(),
    /** Window size, one number or [height, width]. */
    kernelSize: Pair,
    /** Step of the window. Default: 1. */
    strides: Pair.default(1),
    /** 'valid' (no padding) or 'same' (zero padding so that out = ⌈in/stride⌉). Default: 'valid'. */
    padding: Padding.default('valid'),
    /** Spacing between kernel taps (atrous convolution); > 1 needs strides 1. Default: 1. */
    dilationRate: Pair.default(1),
  },
  kernelFields,
);
export type Conv2DConfig = z.input<typeof Conv2DConfig>;

type Conv2DParams = KernelParams;
interface Conv2DCache {
  x: tf.Tensor4D;
  z: tf.Tensor4D;
  y: tf.Tensor4D;
}

/**
 * A 2-D convolution brick: each output channel slides one learned kernel over every input channel.
 * With kernelSize 1 it mixes channels at each pixel, exactly a Dense applied per pixel.
 *
 * @example
 * const conv = new Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' });
 * conv.build([28, 28, 1]); // → [26, 26, 32]
 * const mix = new Conv2D({ filters: 8, kernelSize: 1 });
 * mix.build([28, 28, 32]); // → [28, 28, 8]: y[n,i,j,:] = x[n,i,j,:]·W[0,0] + b at every pixel
 */
export class Conv2D extends FusedActivationLayer<typeof Conv2DConfig, Conv2DParams, Conv2DCache> {
  private window!: ReturnType<typeof windowShape>;

  constructor(config: Conv2DConfig) {
    super('Conv2D', Conv2DConfig, config);
  }

  get activation(): ActivationName {
    return this.config.activation;
  }

  protected setup(inputShape: Shape): Shape {
    const { filters, kernelSize, strides, dilationRate, padding, useBias, kernelInitializer, biasInitializer } =
      this.config;
    const [k, s, d] = [pair(kernelSize), pair(strides), pair(dilationRate)];
    if ((s[0] > 1 || s[1] > 1) && (d[0] > 1 || d[1] > 1)) {
      throw new BrickError(
        `${this.label}: strides and dilationRate cannot both exceed 1, received strides ${formatShape(s)} and dilationRate ${formatShape(d)}`,
        this.label,
      );
    }
    this.window = windowShape(this.label, inputShape, 'kernel', k, s, d, padding);
    const channels = inputShape[2] as number;
    const existing = this.params.kernel;
    if (existing && existing.shape[2] !== channels) {
      throw new BrickError(
        `${this.label}: input has ${channels} channels but the kernel ${formatShape(existing.shape)} expects ${existing.shape[2]}`,
        this.label,
      );
    }
    if (!existing) {
      this.params = { kernel: makeVariable(this.name, 'kernel', kernelInitializer, [k[0], k[1], channels, filters]) };
      if (useBias) this.params.bias = makeVariable(this.name, 'bias', biasInitializer, [filters]);
    }
    return activationShape(this.activation, [this.window.rows.out, this.window.cols.out, filters], this.label);
  }

  override regularizers(): Partial<Record<keyof KernelParams, Regularizer>> {
    return kernelRegularizers(this.config, this.params);
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: Conv2DCache; penalty?: tf.Scalar } {
    this.checkInput(x);
    return tf.tidy(() => {
      const { strides, padding, dilationRate } = this.config;
      const x4 = x as tf.Tensor4D;
      const kernel = this.params.kernel as tf.Tensor4D;
      const dilated = pair(dilationRate).some((d) => d > 1);
      // brickml's own convolution where its matrix product runs (ownMatMul: wasm with relaxed SIMD), with
      // the bias and relu in its epilogue: z is not kept, and y stands for it (relu' = [y > 0]).
      const pads: [[number, number], [number, number]] = [
        [this.window.rows.before, this.window.rows.after],
        [this.window.cols.before, this.window.cols.after],
      ];
      if (ownMatMul() && !dilated && fusable(this.activation)) {
        const relu = this.activation === 'relu';
        const y = conv2d(x4, kernel, pair(strides), pads, { bias: this.params.bias as tf.Tensor1D | undefined, relu });
        const { penalty } = withPenalty(this.config, y);
        return { y, cache: { x: x4, z: y, y }, ...(penalty && { penalty }) };
      }
      let z: tf.Tensor4D =
        ownMatMul() && !dilated
          ? conv2d(x4, kernel, pair(strides), pads)
          : tf.conv2d(x4, kernel, pair(strides), padding, 'NHWC', pair(dilationRate));
      if (this.params.bias) z = tf.add(z, this.params.bias) as tf.Tensor4D;
      const { y, penalty } = activateWithPenalty(this.config, z);
      return { y, cache: { x: x4, z, y }, ...(penalty && { penalty }) };
    });
  }

  /** dW and db alone: the first brick of a model needs no dx (~30 ms of mnist_cnn's step on wasm). */
  paramGrads(dy: tf.Tensor, cache: Conv2DCache) {
    this.checkGrad(dy);
    return tf.tidy(() => this.gradsFrom(preActivationGrad(this.config, dy, cache) as tf.Tensor4D, cache));
  }

  protected fromPreActivation(dz: tf.Tensor, cache: Conv2DCache) {
    const dz4 = dz as tf.Tensor4D;
    const dx = inputGrad(dz4, this.params.kernel as tf.Tensor4D, this.geometry(), cache.x.shape, this.config.padding);
    return { dx, grads: this.gradsFrom(dz4, cache) };
  }

  private geometry() {
    const { kernelSize, strides, dilationRate } = this.config;
    return { k: pair(kernelSize), s: pair(strides), d: pair(dilationRate), ...this.window };
  }

  private gradsFrom(dz: tf.Tensor4D, { x }: Conv2DCache): { kernel: tf.Tensor; bias?: tf.Tensor } {
    return paramGrads(x, dz, this.geometry(), this.params.bias !== undefined);
  }
}
