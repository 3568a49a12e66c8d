/**
 * TimeDistributed(f): y[b, t] = f(x[b, t]) for every step t, computed as one call of f on the B·T steps:
 * y = reshape(f(reshape(x, [B·T, ...])), [B, T, ...]).
 * Backward: dx = reshape(f.backward(reshape(dy, [B·T, ...])), [B, T, ...]); the parameter gradients are f's,
 * summed over the steps by f's own backward.
 */
import { BrickError, configObject, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions, isMultiInput, type Layer, type Params } from '../layer.js';
import type { Regularizer } from '../regularizers.js';
import { innerBrickFromSpec } from './inner-brick.js';

export const TimeDistributedConfig = configObject(baseConfig, {
  /** The brick applied to every step, as its spec `{ className, config }` (Keras' `layer`). */
  layer: z.strictObject(
    { className: z.string(), config: z.record(z.string(), z.unknown()) },
    { error: 'must be a brick or its spec { className, config }' },
  ),
});
/** The config; `layer` may also be a brick itself, as in Keras: `new TimeDistributed({ layer: new Dense(...) })`. */
export type TimeDistributedConfig = Omit<z.input<typeof TimeDistributedConfig>, 'layer'> & {
  layer: z.input<typeof TimeDistributedConfig>['layer'] | Layer;
};

interface TimeDistributedCache {
  inner: unknown;
  batch: number;
  steps: number;
}

/** tf.tidy for a result holding the wrapped brick's cache, whose tensors tidy finds and keeps at any depth. */
const tidy = <T>(fn: () => T): T => tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;

const isBrick = (v: unknown): v is Layer =>
  typeof v === 'object' && v !== null && typeof (v as Layer).forward === 'function' && 'className' in v;

/**
 * Applies one brick to every step of a sequence, with the same weights: [batch, time, ...] →
 * [batch, time, ...its output]. Its weights are the wrapped brick's (`kernel`, `bias` for a Dense), as in
 * Keras; a mask reaching it passes through, and is not given to the wrapped brick.
 *
 * Keras 3 calls the brick once per step; this makes one call on all B·T steps. The two differ only where a
 * brick's result depends on its whole batch: a BatchNormalization inside takes its training statistics
 * over batch and time together, and the brick's activity penalty counts (Keras 3 skips it), divided by B·T.
 *
 * @example
 * const perStep = new TimeDistributed({ layer: new Dense({ units: 8 }) });
 * perStep.build([null, 16]); // → [null, 8]
 */
export class TimeDistributed extends BaseLayer<typeof TimeDistributedConfig, Params, TimeDistributedCache> {
  readonly supportsMasking = true;
  /** The wrapped brick; it owns the weights. */
  readonly layer: Layer;

  constructor(config: TimeDistributedConfig) {
    const given = (config as { layer?: unknown } | undefined)?.layer;
    const instance = isBrick(given) ? given : null;
    const raw = instance ? { ...config, layer: instance.toSpec() } : config;
    super('TimeDistributed', TimeDistributedConfig, raw as z.input<typeof TimeDistributedConfig>);
    const inner = instance ?? innerBrickFromSpec(this.label, this.config.layer);
    if (isMultiInput(inner)) {
      if (!instance) inner.dispose();
      throw new BrickError(
        `${this.label}: layer must take one input, received ${inner.className} '${inner.name}'`,
        this.label,
      );
    }
    this.layer = inner;
    // The inner brick's full spec (its name and defaults), so that the spec round-trips.
    this.config.layer = inner.toSpec();
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length < 2) {
      throw new BrickError(
        `${this.label}: input must have shape [null, time, ...features], received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    const stepOutput = this.layer.build(inputShape.slice(1));
    if (this.layer.extraOutputShapes?.length) {
      throw new BrickError(
        `${this.label}: layer ${this.layer.className} '${this.layer.name}' has several outputs`,
        this.label,
      );
    }
    this.params = this.layer.params;
    this.state = this.layer.state;
    return [inputShape[0] as number | null, ...stepOutput];
  }

  override regularizers(): Partial<Record<string, Regularizer>> {
    return this.layer.regularizers();
  }

  /** The wrapped brick's fused activation, when it offers its pre-activation backward (Dense, Conv2D). */
  get activation(): string | undefined {
    return this.layer.backwardFromPreActivation ? this.layer.activation : undefined;
  }

  forward(
    x: tf.Tensor,
    { training }: ForwardOptions,
  ): { y: tf.Tensor; cache: TimeDistributedCache; penalty?: tf.Scalar } {
    this.checkInput(x);
    return tidy(() => {
      const [batch, steps] = x.shape as [number, number];
      const { y, cache, penalty } = this.layer.forward(tf.reshape(x, [batch * steps, ...x.shape.slice(2)]), {
        training,
      });
      return {
        y: tf.reshape(y, [batch, steps, ...y.shape.slice(1)]),
        cache: { inner: cache, batch, steps },
        ...(penalty && { penalty }),
      };
    });
  }

  backward(dy: tf.Tensor, cache: TimeDistributedCache) {
    this.checkGrad(dy);
    return tf.tidy(() => this.unfold(this.layer.backward(this.fold(dy, cache), cache.inner), cache));
  }

  /** `backward` from dz, the gradient at the input of the wrapped brick's activation. */
  backwardFromPreActivation(dz: tf.Tensor, cache: TimeDistributedCache) {
    const back = this.layer.backwardFromPreActivation;
    if (!back) throw new BrickError(`${this.label}: layer ${this.layer.className} fuses no activation`, this.label);
    return tf.tidy(() => this.unfold(back.call(this.layer, this.fold(dz, cache), cache.inner), cache));
  }

  paramGrads(dy: tf.Tensor, cache: TimeDistributedCache) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const dy2 = this.fold(dy, cache);
      if (this.layer.paramGrads) return this.layer.paramGrads(dy2, cache.inner);
      const { dx, grads } = this.layer.backward(dy2, cache.inner);
      dx.dispose();
      return grads;
    });
  }

  /** The wrapped brick owns the weights: disposing it disposes them once. */
  override dispose(): void {
    this.layer.dispose();
  }

  /** [B, T, ...] → [B·T, ...]. */
  private fold(g: tf.Tensor, { batch, steps }: TimeDistributedCache): tf.Tensor {
    return tf.reshape(g, [batch * steps, ...g.shape.slice(2)]);
  }

  /** The wrapped brick's dx back to [B, T, ...]. */
  private unfold(
    { dx, grads }: { dx: tf.Tensor; grads: Record<string, tf.Tensor> },
    { batch, steps }: TimeDistributedCache,
  ) {
    return { dx: tf.reshape(dx, [batch, steps, ...dx.shape.slice(1)]), grads };
  }
}
