/**
 * Weight penalties added to the loss: L1: l1·Σ|w|, gradient l1·sign(w); L2: l2·Σw², gradient 2·l2·w
 * (Keras' definition: no 1/2, so the lecture's λ/2·‖w‖² is l2 = λ/2).
 */
import { parseConfig } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

export const RegularizerConfig = z.union([
  z.enum(['l1', 'l2']),
  z.strictObject({
    className: z.literal('L1'),
    config: z.strictObject({ l1: z.number().nonnegative().default(0.01) }),
  }),
  z.strictObject({
    className: z.literal('L2'),
    config: z.strictObject({ l2: z.number().nonnegative().default(0.01) }),
  }),
  z.strictObject({
    className: z.literal('L1L2'),
    config: z.strictObject({ l1: z.number().nonnegative().default(0), l2: z.number().nonnegative().default(0) }),
  }),
]);
export type RegularizerConfig = z.input<typeof RegularizerConfig>;

export interface Regularizer {
  readonly l1: number;
  readonly l2: number;
  value(w: tf.Tensor): tf.Scalar;
  grad(w: tf.Tensor): tf.Tensor;
}

export function makeRegularizer(spec: RegularizerConfig): Regularizer {
  const parsed = parseConfig('makeRegularizer', RegularizerConfig, spec);
  let l1 = 0;
  let l2 = 0;
  if (parsed === 'l1') l1 = 0.01;
  else if (parsed === 'l2') l2 = 0.01;
  else if (parsed.className === 'L1') l1 = parsed.config.l1;
  else if (parsed.className === 'L2') l2 = parsed.config.l2;
  else ({ l1, l2 } = parsed.config);
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
