/**
 * Conv2DTranspose (channels-last): the adjoint of the convolution C(v)[i] = Σ_a v[i·s + a·d − B]·W[a] (v of
 * the output's size, W[a] of shape [filters, in]): z[n,p,f] = Σ_{i,a : i·s+a·d−B = p} x[n,i,c]·W[a,f,c] + b[f],
 * y = act(z), computed as a valid stride-1 correlation of x↑ (s−1 zeros between entries, padded as Keras
 * pads) with the flipped kernel; activity penalty A = reg(y)/N. Backward: dz = act'(z)ᵀ(dy + dA/dy);
 * dx = C(dz), a forward convolution of dz padded by B (cropped where the padding is negative);
 * dW = P(dz)ᵀ·x (im2col, conv2d-backprop.ts); db = Σ_{n,p,q} dz.
 */
import { BrickError, configObject, formatShape, nonNegativeInt, positiveInt, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { type ActivationName, activationShape } from '../activations/functions.js';
import { FusedActivationLayer } from '../fused-activation.js';
import { makeVariable } from '../initializers.js';
import { activateWithPenalty, type KernelParams, kernelFields, kernelRegularizers } from '../kernel-config.js';
import { baseConfig, type ForwardOptions } from '../layer.js';
import type { Regularizer } from '../regularizers.js';
import { checkStridesDilation, type Geometry, Padding, Pair, padOrCrop, pair } from './conv-utils.js';
import { inputGradByConv, kernelGrad } from './conv2d-backprop.js';

/** Like Pair, zeros allowed. */
const NonNegativePair = z.union([nonNegativeInt(), z.tuple([nonNegativeInt(), nonNegativeInt()])]);

export const Conv2DTransposeConfig = configObject(
  baseConfig,
  {
    /** Number of output channels. */
    filters: positiveInt(),
    /** Window size, one number or [height, width]. */
    kernelSize: Pair,
    /** Upsampling factor: the step of the window in the output. Default: 1. */
    strides: Pair.default(1),
    /** 'valid': out = in·s + max(k − s, 0); 'same': out = in·s (Keras). Default: 'valid'. */
    padding: Padding.default('valid'),
    /**
     * Rows/columns added to the output size, below strides: out = (in−1)·s + k + p ('valid') or
     * (in−1)·s + k mod 2 + p ('same'). Default: none (the sizes above).
     */
    outputPadding: NonNegativePair.optional(),
    /** Spacing between kernel taps; > 1 needs strides 1. Default: 1. */
    dilationRate: Pair.default(1),
  },
  kernelFields,
);
export type Conv2DTransposeConfig = z.input<typeof Conv2DTransposeConfig>;

interface Conv2DTransposeCache {
  x: tf.Tensor4D;
  z: tf.Tensor4D;
  y: tf.Tensor4D;
}

/**
 * One axis of a transposed convolution, as Keras computes it (the JAX padding rule, which the TensorFlow
 * backend matches wherever it accepts the sizes): zeros `left` and `right` around the spread input,
 * output length `size`, and the transposed convolution's own axis (`before` = B; `after` may be negative:
 * the last output rows then get no input).
 */
export function transposeAxis(n: number, k: number, s: number, d: number, padding: Padding, outputPadding?: number) {
  const kEff = (k - 1) * d + 1;
  let left: number;
  let right: number;
  if (padding === 'valid') {
    left = kEff - 1;
    right = kEff - 1 + (outputPadding ?? Math.max(kEff, s) - kEff);
  } else {
    const total = outputPadding === undefined ? s + kEff - 2 : kEff + (kEff % 2) - 2 + outputPadding;
    left = Math.min(Math.ceil(total / 2), kEff - 1);
    right = total - left;
  }
  const size = (n - 1) * s + left + right - kEff + 2;
  return { size, axis: { out: n, before: kEff - 1 - left, after: kEff - 1 - right } };
}

/**
 * A transposed 2-D convolution brick (sometimes called deconvolution): it maps an image to the size a
 * Conv2D with the same kernel size, strides and padding would have read, and is that Conv2D's adjoint.
 * Upsamples in decoders, U-Nets and GAN generators. The kernel is [kh, kw, filters, in], as Keras stores it.
 *
 * @example
 * const up = new Conv2DTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: 'same' });
 * up.build([7, 7, 32]); // → [14, 14, 16]
 */
export class Conv2DTranspose extends FusedActivationLayer<
  typeof Conv2DTransposeConfig,
  KernelParams,
  Conv2DTransposeCache
> {
  private geometry!: Geometry;
  private size!: [number, number];

  constructor(config: Conv2DTransposeConfig) {
    super('Conv2DTranspose', Conv2DTransposeConfig, config);
    const { strides, dilationRate, outputPadding } = this.config;
    const s = pair(strides);
    checkStridesDilation(this.label, s, pair(dilationRate));
    if (outputPadding !== undefined) {
      const p = pair(outputPadding);
      if (p[0] >= s[0] || p[1] >= s[1]) {
        throw new BrickError(
          `${this.label}: outputPadding must be less than strides on each axis, received outputPadding ${formatShape(p)} and strides ${formatShape(s)}`,
          this.label,
        );
      }
    }
  }

  get activation(): ActivationName {
    return this.config.activation;
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length !== 3) {
      throw new BrickError(
        `${this.label}: input must have shape [null, height, width, channels] (rank 4 with the batch), received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    const { filters, kernelSize, strides, dilationRate, padding, outputPadding, useBias } = this.config;
    const [k, s, d] = [pair(kernelSize), pair(strides), pair(dilationRate)];
    const p = outputPadding === undefined ? undefined : pair(outputPadding);
    const [h, w, channels] = inputShape as [number, number, number];
    const rows = transposeAxis(h, k[0], s[0], d[0], padding, p?.[0]);
    const cols = transposeAxis(w, k[1], s[1], d[1], padding, p?.[1]);
    if (rows.size === 0 || cols.size === 0) {
      throw new BrickError(
        `${this.label}: input ${formatShape([null, ...inputShape])} with padding '${padding}' and outputPadding ${formatShape(p ?? [0, 0])} gives an empty output`,
        this.label,
      );
    }
    this.geometry = { k, s, d, rows: rows.axis, cols: cols.axis };
    this.size = [rows.size, cols.size];
    const existing = this.params.kernel;
    if (existing && existing.shape[3] !== channels) {
      throw new BrickError(
        `${this.label}: input has ${channels} channels but the kernel ${formatShape(existing.shape)} expects ${existing.shape[3]}`,
        this.label,
      );
    }
    if (!existing) {
      const { kernelInitializer, biasInitializer } = this.config;
      this.params = { kernel: makeVariable(this.name, 'kernel', kernelInitializer, [k[0], k[1], filters, channels]) };
      if (useBias) this.params.bias = makeVariable(this.name, 'bias', biasInitializer, [filters]);
    }
    return activationShape(this.activation, [rows.size, cols.size, filters], this.label);
  }

  override regularizers(): Partial<Record<keyof KernelParams, Regularizer>> {
    return kernelRegularizers(this.config, this.params);
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: Conv2DTransposeCache; penalty?: tf.Scalar } {
    this.checkInput(x);
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const kernel = this.params.kernel as tf.Tensor4D;
      let z = inputGradByConv(x4, kernel, this.geometry, this.size[0], this.size[1]);
      if (this.params.bias) z = tf.add(z, this.params.bias);
      const { y, penalty } = activateWithPenalty(this.config, z);
      return { y, cache: { x: x4, z, y }, ...(penalty && { penalty }) };
    });
  }

  protected fromPreActivation(dz: tf.Tensor, { x }: Conv2DTransposeCache) {
    const { s, d, rows, cols } = this.geometry;
    const dzp = padOrCrop(dz as tf.Tensor4D, rows, cols);
    const dx = tf.conv2d(dzp, this.params.kernel as tf.Tensor4D, s, 'valid', 'NHWC', d);
    // dW[a,f,c] = Σ dzp[i·s + a·d, f]·x[i, c]: Conv2D's kernel gradient with dzp as its input and x as its dz.
    const unpadded = {
      ...this.geometry,
      rows: { ...rows, before: 0, after: 0 },
      cols: { ...cols, before: 0, after: 0 },
    };
    const grads = { kernel: kernelGrad(dzp, x, unpadded) } as { kernel: tf.Tensor; bias?: tf.Tensor };
    if (this.params.bias) grads.bias = tf.sum(dz, [0, 1, 2]);
    return { dx, grads };
  }
}
