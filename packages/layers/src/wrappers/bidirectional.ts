/**
 * Bidirectional(f): the recurrent brick f reads the sequence forwards (y→) and a copy reads it backwards
 * (y←, turned back to forward time order when it is a sequence), then y = merge(y→, y←): concat [y→, y←],
 * sum y→ + y←, mul y→ ⊙ y←, ave (y→ + y←)/2, or both as two outputs (mergeMode null).
 * Backward: concat splits dy; sum gives dy to both; ave dy/2; mul dy ⊙ y← and dy ⊙ y→; each half goes
 * back through its brick (time-reversed for y←), and dx = dx→ + dx←. With a mask and sequences, both readings
 * are 0 at the masked steps (Keras forces zero_output_for_mask there), so their dy is masked too.
 */
import { BrickError, configObject, formatShape, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BaseLayer, baseConfig, type ForwardOptions, isMultiInput, type Layer, type Params } from '../layer.js';
import type { Regularizer } from '../regularizers.js';
import type { SymbolicTensor } from '../symbolic.js';
import { innerBrickFromSpec } from './inner-brick.js';

const BrickSpecSchema = configObject({ className: z.string(), config: z.record(z.string(), z.unknown()) });

export const BidirectionalConfig = configObject(baseConfig, {
  /** The recurrent brick read forwards, as its spec `{ className, config }` (Keras' `layer`). */
  layer: BrickSpecSchema,
  /** How the two directions combine: 'concat', 'sum', 'mul', 'ave', or null for both as outputs. Default: 'concat'. */
  mergeMode: z.enum(['concat', 'sum', 'mul', 'ave']).nullable().default('concat'),
});
/** The config; `layer` may also be a recurrent brick itself, as in Keras: `new Bidirectional({ layer: new LSTM(...) })`. */
export type BidirectionalConfig = Omit<z.input<typeof BidirectionalConfig>, 'layer'> & {
  layer: z.input<typeof BidirectionalConfig>['layer'] | Layer;
};

interface BidirectionalCache {
  fw: unknown;
  bw: unknown;
  /** The two outputs in forward time order (mul needs them). */
  yf: tf.Tensor;
  yb: tf.Tensor;
  /** With a mask and sequences: the mask as 0/1 floats, [B, T, 1]; else null. */
  m: tf.Tensor | null;
}

const isBrick = (v: unknown): v is Layer =>
  typeof v === 'object' && v !== null && typeof (v as Layer).forward === 'function' && 'className' in v;

/**
 * Reads a sequence both ways with two copies of a recurrent brick (their own weights) and merges the two
 * readings, as Keras' Bidirectional. The brick given is a template: the copies are named
 * `forward_<name>` and `backward_<name>`. The weights are the forward copy's, then the backward one's.
 *
 * @example
 * const both = new Bidirectional({ layer: new LSTM({ units: 16, returnSequences: true }) });
 * both.build([null, 8]); // → [null, 32]
 */
export class Bidirectional extends BaseLayer<
  typeof BidirectionalConfig,
  Params,
  BidirectionalCache,
  SymbolicTensor | SymbolicTensor[]
> {
  readonly supportsMasking = true;
  readonly forwardLayer: Layer;
  readonly backwardLayer: Layer;

  constructor(config: BidirectionalConfig) {
    const given = (config as { layer?: unknown } | undefined)?.layer;
    const instance = isBrick(given) ? given : null;
    super(
      'Bidirectional',
      BidirectionalConfig,
      (instance ? { ...config, layer: instance.toSpec() } : config) as z.input<typeof BidirectionalConfig>,
    );
    // The brick as given, with its defaults filled in; it must be recurrent.
    const probe = instance ?? innerBrickFromSpec(this.label, this.config.layer);
    const spec = probe.toSpec() as { className: string; config: Record<string, unknown> };
    probe.dispose();
    if (isMultiInput(probe) || typeof spec.config.goBackwards !== 'boolean') {
      throw new BrickError(
        `${this.label}: layer must be a recurrent brick (LSTM, GRU, SimpleRNN), received ${spec.className}`,
        this.label,
      );
    }
    const name = spec.config.name as string;
    const make = (direction: 'forward' | 'backward', goBackwards: boolean): Layer =>
      innerBrickFromSpec(this.label, {
        className: spec.className,
        config: { ...spec.config, name: `${direction}_${name}`, goBackwards },
      }) as Layer;
    const goBackwards = spec.config.goBackwards;
    this.forwardLayer = make('forward', goBackwards);
    this.backwardLayer = make('backward', !goBackwards);
    // The forward brick's full spec (defaults included) under the name given, so that the spec round-trips.
    this.config.layer = { ...this.forwardLayer.toSpec(), config: { ...this.forwardLayer.toSpec().config, name } };
  }

  private get sequences(): boolean {
    return Boolean((this.forwardLayer.config as { returnSequences?: boolean }).returnSequences);
  }

  protected setup(inputShape: Shape): Shape {
    if (inputShape.length !== 2) {
      throw new BrickError(
        `${this.label}: input must have shape [null, time, features], received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    const out = this.forwardLayer.build(inputShape);
    this.backwardLayer.build(inputShape);
    const params: Params = {};
    const state: Params = {};
    for (const [prefix, brick] of [
      ['forward', this.forwardLayer],
      ['backward', this.backwardLayer],
    ] as const) {
      for (const [k, v] of Object.entries(brick.params)) params[`${prefix}/${k}`] = v;
      for (const [k, v] of Object.entries(brick.state)) state[`${prefix}/${k}`] = v;
    }
    this.params = params;
    this.state = state;
    const units = out[out.length - 1] as number;
    if (this.config.mergeMode !== 'concat') return out;
    return [...out.slice(0, -1), 2 * units];
  }

  /** mergeMode null: y← after y→; returnState: the forward brick's states, then the backward one's. */
  get extraOutputShapes(): Shape[] {
    if (!this.built) return [];
    const states = this.forwardLayer.extraOutputShapes ?? [];
    return [...(this.config.mergeMode === null ? [this.forwardLayer.outputShape] : []), ...states, ...states];
  }

  override regularizers(): Partial<Record<string, Regularizer>> {
    const out: Partial<Record<string, Regularizer>> = {};
    for (const [prefix, brick] of [
      ['forward', this.forwardLayer],
      ['backward', this.backwardLayer],
    ] as const) {
      for (const [k, r] of Object.entries(brick.regularizers())) out[`${prefix}/${k}`] = r as Regularizer;
    }
    return out;
  }

  computeMask(_x: tf.Tensor, mask: tf.Tensor | null): tf.Tensor | null {
    return this.sequences ? mask : null;
  }

  forward(x: tf.Tensor, opts: ForwardOptions) {
    this.checkInput(x);
    const fw = this.forwardLayer.forward(x, opts);
    const bw = this.backwardLayer.forward(x, opts);
    // The backward brick's sequence runs from the last step: reverse it to line up with the forward one.
    let yb = this.sequences ? tf.reverse(bw.y, 1) : bw.y;
    let yf = fw.y;
    const m = this.sequences && opts.mask ? tf.expandDims(tf.cast(tf.cast(opts.mask, 'bool'), 'float32'), 2) : null;
    if (m) {
      const unmasked = [yf, yb, bw.y];
      [yf, yb] = [tf.mul(yf, m), tf.mul(yb, m)];
      tf.dispose(unmasked);
    }
    const mode = this.config.mergeMode;
    const y =
      mode === 'concat'
        ? tf.concat([yf, yb], -1)
        : mode === 'sum'
          ? tf.add(yf, yb)
          : mode === 'mul'
            ? tf.mul(yf, yb)
            : mode === 'ave'
              ? tf.div(tf.add(yf, yb), 2)
              : yf;
    const extra = [...(mode === null ? [yb] : []), ...(fw.extra ?? []), ...(bw.extra ?? [])];
    const penalty =
      fw.penalty && bw.penalty ? (tf.add(fw.penalty, bw.penalty) as tf.Scalar) : (fw.penalty ?? bw.penalty);
    return {
      y,
      cache: { fw: fw.cache, bw: bw.cache, yf, yb, m },
      ...(extra.length > 0 && { extra }),
      ...(penalty && { penalty }),
    };
  }

  backward(dy: tf.Tensor, cache: BidirectionalCache, dExtra: readonly (tf.Tensor | null)[] = []) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const mode = this.config.mergeMode;
      const { yf, yb, m } = cache;
      let dyf: tf.Tensor;
      let dyb: tf.Tensor;
      if (mode === 'concat') [dyf, dyb] = tf.split(dy, 2, -1) as [tf.Tensor, tf.Tensor];
      else if (mode === 'sum') [dyf, dyb] = [dy, dy];
      else if (mode === 'ave') [dyf, dyb] = [tf.div(dy, 2), tf.div(dy, 2)];
      else if (mode === 'mul') [dyf, dyb] = [tf.mul(dy, yb), tf.mul(dy, yf)];
      else [dyf, dyb] = [dy, dExtra[0] ?? tf.zerosLike(yb)];
      if (m) [dyf, dyb] = [tf.mul(dyf, m), tf.mul(dyb, m)];
      const rest = dExtra.slice(mode === null ? 1 : 0);
      const n = this.forwardLayer.extraOutputShapes?.length ?? 0;
      const f = this.forwardLayer.backward(dyf, cache.fw, rest.slice(0, n));
      const b = this.backwardLayer.backward(this.sequences ? tf.reverse(dyb, 1) : dyb, cache.bw, rest.slice(n, 2 * n));
      const grads: Record<string, tf.Tensor> = {};
      for (const [k, g] of Object.entries(f.grads)) grads[`forward/${k}`] = g;
      for (const [k, g] of Object.entries(b.grads)) grads[`backward/${k}`] = g;
      return { dx: tf.add(f.dx, b.dx), grads };
    });
  }

  /** Both wrapped bricks own their weights: disposing them disposes each once. */
  override dispose(): void {
    this.forwardLayer.dispose();
    this.backwardLayer.dispose();
  }
}
