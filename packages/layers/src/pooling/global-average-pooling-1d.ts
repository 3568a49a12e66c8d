/**
 * GlobalAveragePooling1D (channels-last): y[n,c] = (1/L)·Σ_t x[n,t,c] over the L steps.
 * Backward: dx[n,t,c] = dy[n,c] / L.
 */
import { BrickError, configObject, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';
import { broadcast } from '../ops.js';

export const GlobalAveragePooling1DConfig = configObject(baseConfig, {
  /** Keep the steps axis as size 1 ([1, C] instead of [C]). Default: false. */
  keepdims: z.boolean().default(false),
});
export type GlobalAveragePooling1DConfig = z.input<typeof GlobalAveragePooling1DConfig>;

interface GlobalAveragePooling1DCache {
  xShape: number[];
}

/**
 * Averages each feature over the whole sequence: [steps, C] → [C].
 *
 * @example
 * const gap = new GlobalAveragePooling1D();
 * gap.build([100, 32]); // → [32]
 */
export class GlobalAveragePooling1D extends BaseLayer<
  typeof GlobalAveragePooling1DConfig,
  Record<string, never>,
  GlobalAveragePooling1DCache
> {
  constructor(config: GlobalAveragePooling1DConfig = {}) {
    super('GlobalAveragePooling1D', GlobalAveragePooling1DConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length !== 2) {
      throw new BrickError(
        `${this.label}: input must have shape [null, steps, features], received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    const c = inputShape[1] as number;
    return this.config.keepdims ? [1, c] : [c];
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: GlobalAveragePooling1DCache } {
    this.checkInput(x);
    return { y: tf.mean(x, 1, this.config.keepdims), cache: { xShape: x.shape } };
  }

  backward(dy: tf.Tensor, { xShape }: GlobalAveragePooling1DCache) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const [n, steps, c] = xShape as [number, number, number];
      const g = tf.reshape(tf.div(dy, steps), [n, 1, c]);
      return { dx: broadcast(g, [n, steps, c]), grads: {} };
    });
  }
}
