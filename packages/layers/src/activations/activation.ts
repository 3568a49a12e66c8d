/**
 * Activation: y = f(x) for a named f from functions.ts (relu, sigmoid, tanh, softmax, gelu, ...).
 * Backward: dx = f'(x) ⊙ dy (softmax: dx = y ⊙ (dy − Σ dy ⊙ y) over the last axis),
 * the derivatives listed in functions.ts.
 */
import type { Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { ActivationName, activate, activationGrad } from './functions.js';

export const ActivationConfig = z.strictObject({
  ...baseConfig,
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
  constructor(config: ActivationConfig) {
    super('Activation', ActivationConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: ActivationCache } {
    this.checkInput(x);
    const { activation } = this.config;
    // The identity still returns a tensor of its own, so callers may dispose y apart from x.
    const y = activation === 'linear' ? tf.clone(x) : activate(activation, x);
    return { y, cache: { x, y } };
  }

  backward(dy: tf.Tensor, { x, y }: ActivationCache) {
    this.checkGrad(dy);
    const { activation } = this.config;
    return { dx: activation === 'linear' ? tf.clone(dy) : activationGrad(activation, dy, x, y), grads: {} };
  }
}
