/**
 * Activation functions y = f(z) with their derivatives, written from z and y:
 * relu' = [z>0]; sigmoid' = y(1-y); tanh' = 1-y²; softmax: dz = y ⊙ (dy - Σ dy⊙y) over the last axis;
 * elu' = z>0 ? 1 : y+1; selu' = λ·(z>0 ? 1 : α·eᶻ); softplus' = σ(z); softsign' = 1/(1+|z|)²;
 * swish' = σ(z)(1 + z(1-σ(z))); gelu' = Φ(z) + z·φ(z); hardSigmoid' = [-3<z<3]/6; relu6' = [0<z<6].
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

export const ActivationName = z.enum([
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'tanh',
  'softmax',
  'elu',
  'selu',
  'softplus',
  'softsign',
  'swish',
  'gelu',
  'hardSigmoid',
]);
export type ActivationName = z.infer<typeof ActivationName>;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

export function activate(name: ActivationName, z: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'linear':
      return tf.clone(z);
    case 'relu':
      return tf.relu(z);
    case 'relu6':
      return tf.relu6(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'tanh':
      return tf.tanh(z);
    case 'softmax':
      return tf.softmax(z);
    case 'elu':
      return tf.elu(z);
    case 'selu':
      return tf.selu(z);
    case 'softplus':
      return tf.softplus(z);
    case 'softsign':
      return tf.tidy(() => tf.div(z, tf.add(1, tf.abs(z))));
    case 'swish':
      return tf.tidy(() => tf.mul(z, tf.sigmoid(z)));
    case 'gelu':
      return tf.tidy(() => tf.mul(tf.mul(0.5, z), tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2)))));
    case 'hardSigmoid':
      return tf.tidy(() => tf.div(tf.relu6(tf.add(z, 3)), 6));
  }
}

/** dz from dy, the pre-activation z and the output y = f(z). */
export function activationGrad(name: ActivationName, dy: tf.Tensor, z: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    switch (name) {
      case 'linear':
        return tf.clone(dy);
      case 'relu':
        return tf.mul(dy, tf.step(z, 0));
      case 'relu6':
        return tf.mul(dy, tf.cast(tf.logicalAnd(tf.greater(z, 0), tf.less(z, 6)), 'float32'));
      case 'sigmoid':
        return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
      case 'tanh':
        return tf.mul(dy, tf.sub(1, tf.square(y)));
      case 'softmax':
        return tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true)));
      case 'elu':
        return tf.mul(dy, tf.where(tf.greater(z, 0), tf.onesLike(z), tf.add(y, 1)));
      case 'selu':
        return tf.mul(
          dy,
          tf.where(tf.greater(z, 0), tf.fill(z.shape, SELU_SCALE), tf.mul(SELU_SCALE * SELU_ALPHA, tf.exp(z))),
        );
      case 'softplus':
        return tf.mul(dy, tf.sigmoid(z));
      case 'softsign':
        return tf.div(dy, tf.square(tf.add(1, tf.abs(z))));
      case 'swish': {
        const s = tf.sigmoid(z);
        return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s)))));
      }
      case 'gelu': {
        const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(z, Math.SQRT1_2))));
        const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(z))));
        return tf.mul(dy, tf.add(cdf, tf.mul(z, pdf)));
      }
      case 'hardSigmoid':
        return tf.mul(dy, tf.div(tf.cast(tf.logicalAnd(tf.greater(z, -3), tf.less(z, 3)), 'float32'), 6));
    }
  });
}
