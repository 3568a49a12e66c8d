/**
 * Dense: z = x·W + b, y = f(z); with an activity regularizer, penalty P = reg(y)/N (see kernel-config.ts)
 * Backward: dz = f'(z)ᵀ(dy + dP/dy),  dx = dz·Wᵀ,  dW = xᵀ·dz,  db = Σ_batch dz
 * Inputs of rank > 2 are applied on the last axis, as in Keras.
 */
import { BrickError, columnSums, configObject, matMul, ownMatMul, positiveInt, type Shape } from '@brickml/core';
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
import { matMulT } from '../ops.js';
import type { Regularizer } from '../regularizers.js';

export const DenseConfig = configObject(
  baseConfig,
  {
    /** Width of the output. */
    units: positiveInt(),
  },
  kernelFields,
);
export type DenseConfig = z.input<typeof DenseConfig>;

type DenseParams = KernelParams;
interface DenseCache {
  x: tf.Tensor;
  z: tf.Tensor;
  y: tf.Tensor;
  /** x as a matrix, transposed, when the forward pass made it (wasm, see forward): dW reuses it. */
  xT?: tf.Tensor;
}

/**
 * A fully connected brick: every output unit is a weighted sum of every input.
 *
 * @example
 * const dense = new Dense({ units: 10, activation: 'softmax' });
 * dense.build([784]);
 */
export class Dense extends FusedActivationLayer<typeof DenseConfig, DenseParams, DenseCache> {
  /** Applied per step, Dense passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  constructor(config: DenseConfig) {
    super('Dense', DenseConfig, config);
  }

  get activation(): ActivationName {
    return this.config.activation;
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length === 0) {
      throw new BrickError(`${this.label}: input must have a feature axis, received a scalar per example`, this.label);
    }
    const inDim = inputShape[inputShape.length - 1] as number;
    const { units, useBias, kernelInitializer, biasInitializer } = this.config;
    this.params = { kernel: makeVariable(this.name, 'kernel', kernelInitializer, [inDim, units]) } as DenseParams;
    if (useBias) this.params.bias = makeVariable(this.name, 'bias', biasInitializer, [units]);
    return activationShape(this.activation, [...inputShape.slice(0, -1), units], this.label);
  }

  override regularizers(): Partial<Record<keyof KernelParams, Regularizer>> {
    return kernelRegularizers(this.config, this.params);
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: DenseCache; penalty?: tf.Scalar } {
    this.checkInput(x);
    return tf.tidy(() => {
      const { kernel, bias } = this.params;
      const x2 = matrix(x);
      const [rows, inDim] = x2.shape;
      const { units } = this.config;
      // wasm packs matMul's right operand anew for every new tensor, and the kernel is a new one after every
      // update. Packing a wide kernel costs more than transposing it and x (whose transpose dW needs anyway)
      // and packing xᵀ: z = (Wᵀ·xᵀ)ᵀ. Measured at batch 128: [784, 512] about 20% faster, [512, 512] a tie.
      // brickml's own product (ownMatMul) packs as it goes and needs neither.
      let xT: tf.Tensor | undefined;
      let z2: tf.Tensor;
      if (tf.getBackend() === 'wasm' && !ownMatMul() && inDim * units > 2 * rows * (inDim + units)) {
        xT = matMulT(x2);
        z2 = matMulT(tf.matMul(matMulT(kernel), xT));
        if (bias) z2 = tf.add(z2, bias);
      } else if ((ownMatMul() || tf.getBackend() === 'webgpu') && fusable(this.config.activation)) {
        // The bias and relu in the product's epilogue (own product; tfjs' fused product on webgpu): z is not
        // kept, and y stands for it (relu' = [y > 0]).
        const relu = this.config.activation === 'relu';
        const epilogue = { bias: bias as tf.Tensor1D | undefined, relu };
        const y = reshapeTo(matMul(x2, kernel as tf.Tensor2D, false, false, epilogue), [
          ...x.shape.slice(0, -1),
          units,
        ]);
        const { penalty } = withPenalty(this.config, y);
        return { y, cache: { x, z: y, y }, ...(penalty && { penalty }) };
      } else {
        // The bias in the product's epilogue, before another activation (one kernel less where it fuses).
        z2 = matMul(x2, kernel as tf.Tensor2D, false, false, { bias: bias as tf.Tensor1D | undefined });
      }
      const z = reshapeTo(z2, [...x.shape.slice(0, -1), units]);
      const { y, penalty } = activateWithPenalty(this.config, z);
      return { y, cache: { x, z, y, ...(xT && { xT }) }, ...(penalty && { penalty }) };
    });
  }

  /** dW and db alone: the first brick of a model needs no dx, and dz·Wᵀ is a fifth of mnist_mlp's step. */
  paramGrads(dy: tf.Tensor, cache: DenseCache) {
    this.checkGrad(dy);
    return tf.tidy(() => this.gradsFrom(matrix(preActivationGrad(this.config, dy, cache)), cache));
  }

  protected fromPreActivation(dz: tf.Tensor, cache: DenseCache) {
    const dz2 = matrix(dz);
    const { kernel } = this.params;
    const [rows, units] = dz2.shape as [number, number];
    const inDim = kernel.shape[0] as number;
    // wasm packs matMul's right operand anew whenever it is a new tensor: Wᵀ costs a transpose and a
    // pack of the whole kernel, dzᵀ only of a batch's rows. (W·dzᵀ)ᵀ moves less when the kernel is larger.
    if (tf.getBackend() === 'wasm' && !ownMatMul() && 2 * inDim * units > rows * (2 * units + inDim)) {
      const dzT = matMulT(dz2);
      const dx = reshapeTo(matMulT(tf.matMul(kernel, dzT)), cache.x.shape);
      // Σ_batch dz as a sum over dzᵀ's last axis: wasm transposes to reduce over any other.
      return { dx, grads: this.gradsFrom(dz2, cache, dzT) };
    }
    const dx = reshapeTo(matMul(dz2, kernel as tf.Tensor2D, false, true), cache.x.shape);
    return { dx, grads: this.gradsFrom(dz2, cache) };
  }

  private gradsFrom(dz2: tf.Tensor, { x, xT }: DenseCache, dzT?: tf.Tensor) {
    const dW = xT ? tf.matMul(xT, dz2) : matMul(matrix(x), dz2 as tf.Tensor2D, true);
    const grads = { kernel: dW } as { kernel: tf.Tensor; bias?: tf.Tensor };
    if (this.params.bias) grads.bias = dzT ? tf.sum(dzT, 1) : columnSums(dz2 as tf.Tensor2D);
    return grads;
  }
}

// A Reshape is a kernel call like any other: inputs of rank 2 (the common case) skip both.
/** t as a matrix over its last axis. */
function matrix(t: tf.Tensor): tf.Tensor2D {
  return (t.rank === 2 ? t : tf.reshape(t, [-1, t.shape[t.rank - 1] as number])) as tf.Tensor2D;
}

/** A matrix back in the shape it was flattened from. */
function reshapeTo(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  return shape.length === 2 ? t : tf.reshape(t, [...shape]);
}
