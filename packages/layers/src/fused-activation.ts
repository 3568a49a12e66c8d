/**
 * The bricks whose activation is fused after an affine map (Dense and the convolutions) share their backward
 * entry points: `backward` turns dy into the pre-activation gradient dz = act'(z)ᵀ(dy + dP/dy) (P the activity
 * penalty), and `backwardFromPreActivation` takes dz from a fused loss gradient and adds act'(z)ᵀ·dP/dy. Both
 * end in the brick's own `fromPreActivation(dz, cache)`: dx and the parameter gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { ActivationName } from './activations/functions.js';
import { type Activated, preActivationGrad, withActivityGrad } from './kernel-config.js';
import { BaseLayer, type Grads, type Params } from './layer.js';
import type { RegularizerConfig } from './regularizers.js';

type FusedConfig = {
  name?: string | undefined;
  activation: ActivationName;
  activityRegularizer?: RegularizerConfig | undefined;
};

export abstract class FusedActivationLayer<
  S extends z.ZodType<FusedConfig>,
  P extends Params,
  Cache extends Activated,
> extends BaseLayer<S, P, Cache> {
  /** dx and the parameter gradients from dz, the gradient at the pre-activation; runs inside a tidy. */
  protected abstract fromPreActivation(dz: tf.Tensor, cache: Cache): { dx: tf.Tensor; grads: Grads<P> };

  backward(dy: tf.Tensor, cache: Cache): { dx: tf.Tensor; grads: Grads<P> } {
    this.checkGrad(dy);
    return tf.tidy(() => this.fromPreActivation(preActivationGrad(this.config, dy, cache), cache));
  }

  /** The backward pass from a fused loss gradient at the pre-activation, plus the activity penalty's part. */
  backwardFromPreActivation(dz: tf.Tensor, cache: Cache): { dx: tf.Tensor; grads: Grads<P> } {
    return tf.tidy(() => this.fromPreActivation(withActivityGrad(this.config, dz, cache), cache));
  }
}
