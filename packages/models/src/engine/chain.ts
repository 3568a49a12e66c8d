/**
 * The chain executor (Sequential): each brick feeds the next. Backward walks the list in reverse, handing
 * the last brick dL/dz when the loss fused its activation, and asking the first brick only for its
 * parameter gradients (`paramGrads`) when nobody reads the model's input gradient.
 */
import { BrickError, type Shape } from '@brickml/core';
import type { Layer } from '@brickml/layers';
import type * as tf from '@tensorflow/tfjs-core';
import {
  addBrickGrads,
  addPenalty,
  type Executor,
  type ForwardOpts,
  type ForwardResult,
  type GradMap,
  type OutputGradient,
  passMask,
  type Tape,
} from './executor.js';

interface ChainTape extends Tape {
  caches: unknown[];
}

export class ChainExecutor implements Executor {
  constructor(
    private readonly layers: readonly Layer[],
    private readonly shape: () => Shape | null,
  ) {}

  inputShapes(): Shape[] | null {
    const s = this.shape();
    return s ? [s] : null;
  }

  outputShapes(): Shape[] {
    const last = this.layers[this.layers.length - 1];
    const s = last ? last.outputShape : this.shape();
    if (!s) throw new BrickError('the model is not built yet: give inputShape or call build()');
    return [s];
  }

  members(): readonly Layer[] {
    return this.layers;
  }

  fusableActivation(i: number): string | null {
    const last = this.layers[this.layers.length - 1];
    if (i !== 0 || !last?.backwardFromPreActivation || typeof last.activation !== 'string') return null;
    return last.activation;
  }

  forward(xs: readonly tf.Tensor[], { training, masks }: ForwardOpts): ForwardResult {
    const caches: unknown[] = [];
    let y = xs[0] as tf.Tensor;
    let mask = masks?.[0] ?? null;
    let penalty: tf.Scalar | null = null;
    for (const layer of this.layers) {
      const out = layer.forward(y, mask ? { training, mask } : { training });
      caches.push(out.cache);
      penalty = addPenalty(penalty, out.penalty);
      mask = passMask(layer, [y], [mask]);
      y = out.y;
    }
    return { ys: [y], tape: { training, caches } as ChainTape, penalty, masks: [mask] };
  }

  backward(
    dys: readonly (OutputGradient | null)[],
    tape: Tape,
    { inputGrads }: { inputGrads: boolean },
  ): { dxs: (tf.Tensor | null)[]; grads: GradMap } {
    const { caches } = tape as ChainTape;
    const grads: GradMap = new Map();
    const out = dys[0];
    if (!out) return { dxs: [null], grads };
    let dy = out.dy;
    const n = this.layers.length;
    for (let i = n - 1; i >= 0; i--) {
      const layer = this.layers[i] as Layer;
      if (i === n - 1 && out.preActivation) {
        const back = (layer.backwardFromPreActivation as NonNullable<Layer['backwardFromPreActivation']>)(
          dy,
          caches[i],
        );
        addBrickGrads(grads, layer, back.grads);
        dy = back.dx;
      } else if (i === 0 && !inputGrads && layer.paramGrads) {
        addBrickGrads(grads, layer, layer.paramGrads(dy, caches[i]));
        return { dxs: [null], grads };
      } else {
        const back = layer.backward(dy, caches[i]);
        addBrickGrads(grads, layer, back.grads);
        dy = back.dx;
      }
    }
    return { dxs: [inputGrads ? dy : null], grads };
  }
}
