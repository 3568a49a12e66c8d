/**
 * Activation: y = f(x) for a named f from functions.ts (relu, sigmoid, tanh, softmax, gelu, glu, ...).
 * Backward: dx = f'(x) ⊙ dy (softmax: dx = y ⊙ (dy − Σ dy ⊙ y) over the last axis),
 * the derivatives listed in functions.ts. glu halves the last axis; every other f keeps the shape.
 */
import type { Shape } from '@brickml/core';
import { configObject } from '@brickml/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { ActivationName, activate, activationGrad, activationShape } from './functions.js';

export const ActivationConfig = configObject(baseConfig, {
  /** Name of the activation function (required, as in Keras). */
  activation: ActivationName,
});
export type ActivationConfig = z.input<typeof ActivationConfig>;

interface ActivationCache {
  x: tf.Tensor;
  y: tf.Tensor;
}

/**
 * Applies an activation function by name, as a brick of its own.
 *
 * @example
 * const gelu = new Activation({ activation: 'gelu' });
 * const { y } = gelu.forward(tf.tensor2d([[0, 1]]), { training: false });
 */
export class Activation extends BaseLayer<typeof ActivationConfig, Record<string, never>, ActivationCache> {
  /** Applied per step, it passes a sequence's mask on (Keras: supports_masking). */
  readonly supportsMasking = true;

  constructor(config: ActivationConfig) {
    super('Activation', ActivationConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    return activationShape(this.config.activation, inputShape, this.label);
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: ActivationCache } {
    this.checkInput(x);
    // The identity still returns a tensor of its own, so callers may dispose y apart from x.
    const y = activate(this.config.activation, x);
    return { y, cache: { x, y } };
  }

  backward(dy: tf.Tensor, { x, y }: ActivationCache) {
    this.checkGrad(dy);
    return { dx: activationGrad(this.config.activation, dy, x, y), grads: {} };
  }
}
