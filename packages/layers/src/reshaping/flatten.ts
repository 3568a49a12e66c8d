/**
 * Flatten: y = reshape(x, [batch, d₁·d₂·…·dₙ]) (row-major, as channels-last Keras).
 * Backward: dx = reshape(dy, shape of x).
 */
import { configObject, fixedShape, type Shape, sizeOf } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

export const FlattenConfig = configObject(baseConfig);
export type FlattenConfig = z.input<typeof FlattenConfig>;

interface FlattenCache {
  xShape: number[];
}

/**
 * Flattens each example to a vector, keeping the batch axis.
 *
 * @example
 * const flatten = new Flatten();
 * flatten.build([28, 28, 1]); // [784]
 */
export class Flatten extends BaseLayer<typeof FlattenConfig, Record<string, never>, FlattenCache> {
  constructor(config: FlattenConfig = {}) {
    super('Flatten', FlattenConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    return [sizeOf(fixedShape(this.label, 'input', inputShape))];
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: FlattenCache } {
    this.checkInput(x);
    return { y: tf.reshape(x, [x.shape[0] as number, ...(this.outputShape as number[])]), cache: { xShape: x.shape } };
  }

  backward(dy: tf.Tensor, { xShape }: FlattenCache) {
    this.checkGrad(dy);
    return { dx: tf.reshape(dy, xShape), grads: {} };
  }
}
