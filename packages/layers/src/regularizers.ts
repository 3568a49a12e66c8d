/**
 * Penalties added to the loss: L1: l1·Σ|w|, gradient l1·sign(w); L2: l2·Σw², gradient 2·l2·w
 * (Keras' definition: no 1/2, so the lecture's λ/2·‖w‖² is l2 = λ/2). On a weight, or on a brick's output
 * (an activity regularizer, which the brick divides by the batch size).
 */
import { configObject, parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

export const RegularizerConfig = z.union([
  /**
   * Keras' string forms: 'l1' is L1(0.01), 'l2' is L2(0.01), and 'l1_l2' is both at 0.01, as Keras
   * documents it (and Keras 2 did), unlike the L1L2 class, whose factors default to 0.
   */
  z.enum(['l1', 'l2', 'l1_l2']),
  configObject({
    className: z.literal('L1'),
    config: configObject({ l1: z.number().nonnegative().default(0.01) }),
  }),
  configObject({
    className: z.literal('L2'),
    config: configObject({ l2: z.number().nonnegative().default(0.01) }),
  }),
  configObject({
    className: z.literal('L1L2'),
    config: configObject({ l1: z.number().nonnegative().default(0), l2: z.number().nonnegative().default(0) }),
  }),
]);
export type RegularizerConfig = z.input<typeof RegularizerConfig>;

export interface Regularizer {
  readonly l1: number;
  readonly l2: number;
  value(w: tf.Tensor): tf.Scalar;
  grad(w: tf.Tensor): tf.Tensor;
}

const STRING_FORMS = { l1: { l1: 0.01, l2: 0 }, l2: { l1: 0, l2: 0.01 }, l1_l2: { l1: 0.01, l2: 0.01 } };

function factors(parsed: z.output<typeof RegularizerConfig>): { l1: number; l2: number } {
  if (typeof parsed === 'string') return STRING_FORMS[parsed];
  const { config } = parsed;
  return { l1: 'l1' in config ? config.l1 : 0, l2: 'l2' in config ? config.l2 : 0 };
}

export function makeRegularizer(spec: RegularizerConfig): Regularizer {
  const { l1, l2 } = factors(parseConfig('makeRegularizer', RegularizerConfig, spec));
  return {
    l1,
    l2,
    value: (w) =>
      tf.tidy(() => {
        let v = tf.scalar(0);
        if (l1) v = tf.add(v, tf.mul(l1, tf.sum(tf.abs(w))));
        if (l2) v = tf.add(v, tf.mul(l2, tf.sum(tf.square(w))));
        return v as tf.Scalar;
      }),
    grad: (w) =>
      tf.tidy(() => {
        let g = tf.zerosLike(w);
        if (l1) g = tf.add(g, tf.mul(l1, tf.sign(w)));
        if (l2) g = tf.add(g, tf.mul(2 * l2, w));
        return g;
      }),
  };
}
