/**
 * Conv1D (channels-last): z[n,t,f] = Σ_{a,c} xp[n, t·s + a·d, c]·W[a,c,f] + b[f], y = act(z), with xp the
 * steps zero-padded for 'same', or by (k−1)·d on the left only for 'causal' (z[t] sees no later step);
 * activity penalty A = reg(y)/N. Backward: dz = act'(z)ᵀ(dy + dA/dy); dx = the adjoint of the convolution
 * applied to dz, less the causal padding; dW = P(xp)ᵀ·dz (im2col); db = Σ_{n,t} dz. Computed as Conv2D's
 * pieces on [N, 1, steps, C].
 */
import { BrickError, configObject, formatShape, positiveInt, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { type ActivationName, activationShape } from '../activations/functions.js';
import { FusedActivationLayer } from '../fused-activation.js';
import { makeVariable } from '../initializers.js';
import { activateWithPenalty, type KernelParams, kernelFields, kernelRegularizers } from '../kernel-config.js';
import { baseConfig, type ForwardOptions } from '../layer.js';
import type { Regularizer } from '../regularizers.js';
import { checkStridesDilation, type Geometry, type Padding, windowAxis } from './conv-utils.js';
import { inputGrad, kernelGrad } from './conv2d-backprop.js';

/** A length along the steps: one positive integer, or a list of one as Keras writes it. */
const Single = z.union([positiveInt(), z.tuple([positiveInt()])]);
const single = (v: z.input<typeof Single>): number => (typeof v === 'number' ? v : v[0]);

export const Conv1DConfig = configObject(
  baseConfig,
  {
    /** Number of output channels (kernels). */
    filters: positiveInt(),
    /** Window length. */
    kernelSize: Single,
    /** Step of the window. Default: 1. */
    strides: Single.default(1),
    /**
     * 'valid' (no padding), 'same' (out = ⌈steps/stride⌉) or 'causal' ((k−1)·d zeros on the left, so step t
     * sees only steps ≤ t). Default: 'valid'.
     */
    padding: z.enum(['valid', 'same', 'causal']).default('valid'),
    /** Spacing between kernel taps; > 1 needs strides 1. Default: 1. */
    dilationRate: Single.default(1),
  },
  kernelFields,
);
export type Conv1DConfig = z.input<typeof Conv1DConfig>;

interface Conv1DCache {
  /** The input as [N, 1, steps (+ causal padding), C]. */
  x: tf.Tensor4D;
  z: tf.Tensor3D;
  y: tf.Tensor3D;
  /** The window of this call (a free steps axis is sized per batch). */
  geometry: Geometry;
}

/**
 * A 1-D convolution brick over sequences [steps, channels]: each output channel slides one learned kernel
 * of `kernelSize` steps over every input channel. `padding: 'causal'` makes it a temporal convolution
 * (WaveNet, TCN) whose output at step t depends on steps up to t only. The steps axis may be free (null).
 *
 * @example
 * const conv = new Conv1D({ filters: 16, kernelSize: 3, padding: 'causal', dilationRate: 2 });
 * conv.build([100, 8]); // → [100, 16]
 */
export class Conv1D extends FusedActivationLayer<typeof Conv1DConfig, KernelParams, Conv1DCache> {
  constructor(config: Conv1DConfig) {
    super('Conv1D', Conv1DConfig, config);
    checkStridesDilation(this.label, single(this.config.strides), single(this.config.dilationRate));
  }

  get activation(): ActivationName {
    return this.config.activation;
  }

  /** Zeros added on the left for 'causal'. */
  private get causalPad(): number {
    const { padding, kernelSize, dilationRate } = this.config;
    return padding === 'causal' ? (single(kernelSize) - 1) * single(dilationRate) : 0;
  }

  private get padding(): Padding {
    return this.config.padding === 'same' ? 'same' : 'valid';
  }

  protected setup(inputShape: Shape): Shape {
    const [steps, channels] = inputShape as [number | null, number | null];
    if (inputShape.length !== 2 || channels === null) {
      throw new BrickError(
        `${this.label}: input must have shape [null, steps, channels] (rank 3 with the batch, channels fixed), received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    const out = steps === null ? null : this.geometryFor(inputShape).cols.out;
    const { filters, useBias, kernelInitializer, biasInitializer } = this.config;
    const existing = this.params.kernel;
    if (existing && existing.shape[1] !== channels) {
      throw new BrickError(
        `${this.label}: input has ${channels} channels but the kernel ${formatShape(existing.shape)} expects ${existing.shape[1]}`,
        this.label,
      );
    }
    if (!existing) {
      const k = single(this.config.kernelSize);
      this.params = { kernel: makeVariable(this.name, 'kernel', kernelInitializer, [k, channels, filters]) };
      if (useBias) this.params.bias = makeVariable(this.name, 'bias', biasInitializer, [filters]);
    }
    return activationShape(this.activation, [out, filters], this.label);
  }

  /** The window over an input of this example shape as a Conv2D geometry on [1, steps], or a named error. */
  private geometryFor(shape: Shape): Geometry {
    const [k, s, d] = [single(this.config.kernelSize), single(this.config.strides), single(this.config.dilationRate)];
    const cols = windowAxis((shape[0] as number) + this.causalPad, k, s, d, this.padding);
    if (cols.out === 0) {
      throw new BrickError(
        `${this.label}: kernel ${(k - 1) * d + 1} is longer than the input ${formatShape([null, ...shape])} with padding '${this.config.padding}', which leaves an empty output`,
        this.label,
      );
    }
    return { k: [1, k], s: [1, s], d: [1, d], rows: { out: 1, before: 0, after: 0 }, cols };
  }

  override regularizers(): Partial<Record<keyof KernelParams, Regularizer>> {
    return kernelRegularizers(this.config, this.params);
  }

  /** The kernel as a Conv2D kernel [1, k, C, F]. */
  private kernel4(): tf.Tensor4D {
    const [k, c, f] = this.params.kernel.shape as [number, number, number];
    return tf.reshape(this.params.kernel, [1, k, c, f]);
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: Conv1DCache; penalty?: tf.Scalar } {
    this.checkInput(x);
    const geometry = this.geometryFor(x.shape.slice(1));
    const { y, z, x4, penalty } = tf.tidy(() => {
      const [n, steps, c] = x.shape as [number, number, number];
      let xp = x as tf.Tensor3D;
      if (this.causalPad > 0)
        xp = tf.pad(xp, [
          [0, 0],
          [this.causalPad, 0],
          [0, 0],
        ]);
      const x4 = tf.reshape(xp, [n, 1, steps + this.causalPad, c]) as tf.Tensor4D;
      const z4 = tf.conv2d(x4, this.kernel4(), geometry.s, this.padding, 'NHWC', geometry.d);
      let z = tf.reshape(z4, [n, geometry.cols.out, this.config.filters]) as tf.Tensor3D;
      if (this.params.bias) z = tf.add(z, this.params.bias);
      const { y, penalty } = activateWithPenalty(this.config, z);
      return { y, z, x4, ...(penalty && { penalty }) };
    });
    return { y, cache: { x: x4, z, y, geometry }, ...(penalty && { penalty }) };
  }

  protected fromPreActivation(dz: tf.Tensor, { x, geometry }: Conv1DCache) {
    const [n, out, f] = dz.shape as [number, number, number];
    const dz4 = tf.reshape(dz, [n, 1, out, f]) as tf.Tensor4D;
    const dx4 = inputGrad(dz4, this.kernel4(), geometry, x.shape, this.padding);
    const [, , width, c] = x.shape;
    let dx: tf.Tensor = tf.reshape(dx4, [n, width, c]);
    if (this.causalPad > 0) dx = tf.slice(dx, [0, this.causalPad, 0], [n, width - this.causalPad, c]);
    const grads = {
      kernel: tf.reshape(kernelGrad(x, dz4, geometry), this.params.kernel.shape),
    } as { kernel: tf.Tensor; bias?: tf.Tensor };
    if (this.params.bias) grads.bias = tf.sum(dz, [0, 1]);
    return { dx, grads };
  }
}
