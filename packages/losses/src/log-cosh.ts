/**
 * LogCosh (Keras 3 `log_cosh`): with e = p - y, lₖ = mean_c log cosh(ec), computed as
 * e + softplus(-2e) - log 2 with softplus(x) = max(x, 0) + log(1 + e^-|x|), finite for any |e|.
 * Backward: d lₖ / d pc = tanh(ec) / C.
 */

import { configObject } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLoss } from './base.js';

export const LogCoshConfig = configObject({});
export type LogCoshConfig = z.input<typeof LogCoshConfig>;

/** log(1 + eˣ) without overflow. */
function softplus(x: tf.Tensor): tf.Tensor {
  return tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
}

/**
 * Like MSE for small errors (e²/2) and like MAE for large ones (|e| - log 2): a smooth, outlier-tolerant
 * regression loss.
 *
 * @example
 * const logCosh = new LogCosh();
 * const loss = logCosh.value(tf.tensor2d([[0, 1], [0, 0]]), tf.tensor2d([[1, 1], [0, 0]])); // 0.108
 */
export class LogCosh extends BaseLoss<typeof LogCoshConfig> {
  readonly targets = 'elementwise';

  constructor(config: LogCoshConfig = {}) {
    super('LogCosh', LogCoshConfig, config);
  }

  protected perExample(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    const e = tf.sub(p, y);
    return tf.mean(tf.sub(tf.add(e, softplus(tf.mul(e, -2))), Math.LN2), -1);
  }

  protected perExampleGrad(y: tf.Tensor, p: tf.Tensor): tf.Tensor {
    return tf.mul(tf.tanh(tf.sub(p, y)), 1 / (p.shape[p.rank - 1] as number));
  }
}
