/**
 * Reshape: y = reshape(x, [batch, ...targetShape]) (row-major; one -1 entry takes the remaining size).
 * Backward: dx = reshape(dy, shape of x).
 */
import { BrickError, configObject, fixedShape, formatShape, type Shape, sizeOf } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions } from '../layer.js';

const dim = z
  .int({ error: 'must hold positive integers or one -1' })
  .refine((d) => d > 0 || d === -1, { error: 'must hold positive integers or one -1' });

export const ReshapeConfig = configObject(baseConfig, {
  /** Shape of each output example, without the batch axis; at most one -1 (required). */
  targetShape: z
    .array(dim, { error: 'must be an array of integers' })
    .refine((s) => s.filter((d) => d === -1).length <= 1, { error: 'may contain at most one -1' }),
});
export type ReshapeConfig = z.input<typeof ReshapeConfig>;

interface ReshapeCache {
  xShape: number[];
}

/**
 * Rearranges each example into `targetShape`, keeping the batch axis and the order of the values.
 *
 * @example
 * const reshape = new Reshape({ targetShape: [28, 28, 1] });
 * reshape.build([784]); // [28, 28, 1]
 */
export class Reshape extends BaseLayer<typeof ReshapeConfig, Record<string, never>, ReshapeCache> {
  constructor(config: ReshapeConfig) {
    super('Reshape', ReshapeConfig, config);
  }

  protected setup(inputShape: Shape): Shape {
    const { targetShape } = this.config;
    const size = sizeOf(fixedShape(this.label, 'input', inputShape));
    const known = sizeOf(targetShape.filter((d) => d !== -1));
    const free = targetShape.includes(-1);
    if (free ? size % known !== 0 : size !== known) {
      throw new BrickError(
        `${this.label}: cannot reshape an input of shape ${formatShape([null, ...inputShape])} (${size} values per example) to targetShape ${formatShape(targetShape)}`,
        this.label,
      );
    }
    return targetShape.map((d) => (d === -1 ? size / known : d));
  }

  forward(x: tf.Tensor, _opts?: ForwardOptions): { y: tf.Tensor; cache: ReshapeCache } {
    this.checkInput(x);
    return { y: tf.reshape(x, [x.shape[0] as number, ...(this.outputShape as number[])]), cache: { xShape: x.shape } };
  }

  backward(dy: tf.Tensor, { xShape }: ReshapeCache) {
    this.checkGrad(dy);
    return { dx: tf.reshape(dy, xShape), grads: {} };
  }
}
