import type { Shape } from '@brickml/core';
import type { z } from 'zod';
import { type Padding, type Pair, pair, windowShape } from '../convolutional/conv-utils.js';
import { BaseLayer } from '../layer.js';

type PoolConfig = { name?: string | undefined; poolSize: Pair; strides?: Pair | undefined; padding: Padding };

/** What MaxPooling2D and AveragePooling2D share: the window, its stride, and the output shape. */
export abstract class Pooling2D<S extends z.ZodType<PoolConfig>, Cache> extends BaseLayer<
  S,
  Record<string, never>,
  Cache
> {
  protected window!: ReturnType<typeof windowShape>;

  protected get k(): [number, number] {
    return pair(this.config.poolSize);
  }

  /** Keras' default: strides equal to the pool size. */
  protected get s(): [number, number] {
    return pair(this.config.strides ?? this.config.poolSize);
  }

  protected setup(inputShape: Shape): Shape {
    this.window = windowShape(this.label, inputShape, 'pool', this.k, this.s, [1, 1], this.config.padding);
    return [this.window.rows.out, this.window.cols.out, inputShape[2] as number];
  }
}
