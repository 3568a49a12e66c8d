/**
 * The graph executor (functional Model). Forward runs the nodes in depth order, each reading the values of
 * its input tensors. Backward runs them in reverse: a tensor read by several nodes receives the sum of their
 * dx, a brick called several times adds the gradients of every call into its variables, and a nested model
 * hands its part of the walk to its own executor.
 */
import type { Shape } from '@brickml/core';
import { isMultiInput, type Layer, type Node } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import {
  accumulate,
  addBrickGrads,
  addPenalty,
  type Executor,
  type ForwardOpts,
  type ForwardResult,
  type GradMap,
  isNestedModel,
  type Member,
  merge,
  type OutputGradient,
  passMask,
  type Tape,
} from './executor.js';
import type { Graph } from './graph.js';

interface GraphTape extends Tape {
  caches: unknown[];
  /** Each node's first output, for the zeros of a dy nothing sent. */
  firsts: tf.Tensor[];
}

export class GraphExecutor implements Executor {
  private readonly inputIds: Set<number>;

  constructor(readonly graph: Graph) {
    this.inputIds = new Set(graph.inputs.map((t) => t.id));
  }

  inputShapes(): Shape[] {
    return this.graph.inputs.map((t) => t.shape);
  }

  outputShapes(): Shape[] {
    return this.graph.outputs.map((t) => t.shape);
  }

  members(): readonly Member[] {
    return this.graph.members;
  }

  fusableActivation(i: number): string | null {
    const { outputs, readers } = this.graph;
    const t = outputs[i];
    if (!t || this.inputIds.has(t.id) || readers.has(t.id)) return null;
    if (outputs.filter((o) => o === t).length > 1) return null;
    const owner = t.node.owner as Member;
    if (isNestedModel(owner) || isMultiInput(owner)) return null;
    return owner.backwardFromPreActivation && typeof owner.activation === 'string' ? owner.activation : null;
  }

  forward(xs: readonly tf.Tensor[], { training, masks }: ForwardOpts): ForwardResult {
    const values = new Map<number, tf.Tensor>();
    const maskOf = new Map<number, tf.Tensor | null>();
    this.graph.inputs.forEach((t, i) => {
      values.set(t.id, xs[i] as tf.Tensor);
      maskOf.set(t.id, masks?.[i] ?? null);
    });
    const caches: unknown[] = [];
    const firsts: tf.Tensor[] = [];
    let penalty: tf.Scalar | null = null;
    for (const node of this.graph.nodes) {
      const ins = node.inputs.map((t) => values.get(t.id) as tf.Tensor);
      const inMasks = node.inputs.map((t) => maskOf.get(t.id) ?? null);
      const owner = node.owner as Member;
      const set = (j: number, y: tf.Tensor, mask: tf.Tensor | null) => {
        const id = (node.outputs[j] as { id: number }).id;
        values.set(id, y);
        maskOf.set(id, mask);
        if (j === 0) firsts.push(y);
      };
      if (isNestedModel(owner)) {
        const inner = owner.executor.forward(ins, { training, masks: inMasks });
        penalty = addPenalty(penalty, inner.penalty);
        inner.ys.forEach((y, j) => {
          set(j, y, inner.masks[j] ?? null);
        });
        caches.push(inner.tape);
      } else if (isMultiInput(owner)) {
        const out = owner.forward(ins, { training });
        penalty = addPenalty(penalty, out.penalty);
        set(0, out.y, passMask(owner, ins, inMasks));
        caches.push(out.cache);
      } else {
        const mask = inMasks[0] ?? null;
        // Inputs after x are a recurrent brick's initial states.
        const out = owner.forward(ins[0] as tf.Tensor, {
          training,
          ...(mask && { mask }),
          ...(ins.length > 1 && { initialState: ins.slice(1) }),
        });
        penalty = addPenalty(penalty, out.penalty);
        const outMask = passMask(owner, ins, inMasks);
        set(0, out.y, outMask);
        // Extra outputs (returnState's states) are per example, with no time axis to mask.
        (out.extra ?? []).forEach((e, j) => {
          set(j + 1, e, null);
        });
        caches.push(out.cache);
      }
    }
    const outputs = this.graph.outputs;
    return {
      ys: outputs.map((t) => values.get(t.id) as tf.Tensor),
      tape: { training, caches, firsts } as GraphTape,
      penalty,
      masks: outputs.map((t) => maskOf.get(t.id) ?? null),
    };
  }

  backward(
    dys: readonly (OutputGradient | null)[],
    tape: Tape,
    { inputGrads }: { inputGrads: boolean },
  ): { dxs: (tf.Tensor | null)[]; grads: GradMap } {
    const { caches } = tape as GraphTape;
    const grads: GradMap = new Map();
    const dOf = new Map<number, tf.Tensor>();
    const add = (id: number, g: tf.Tensor) => accumulate(dOf, id, g);
    const preActivation = new Map<number, tf.Tensor>();
    dys.forEach((d, i) => {
      const t = this.graph.outputs[i];
      if (!d || !t) return;
      if (d.preActivation) preActivation.set(t.id, d.dy);
      else add(t.id, d.dy);
    });
    const { nodes } = this.graph;
    for (let k = nodes.length - 1; k >= 0; k--) {
      const node = nodes[k] as Node;
      const cache = caches[k];
      const outGrads = node.outputs.map((t) => dOf.get(t.id) ?? null);
      const dz = preActivation.get((node.outputs[0] as { id: number }).id);
      if (!dz && outGrads.every((g) => g === null)) continue;
      // A model input's gradient is wanted only when the caller asks for it (a nested model's caller).
      const wanted = node.inputs.map((t) => inputGrads || !this.inputIds.has(t.id));
      const owner = node.owner as Member;
      let dxs: (tf.Tensor | null)[];
      if (isNestedModel(owner)) {
        const back = owner.executor.backward(
          outGrads.map((dy) => (dy ? { dy } : null)),
          cache as Tape,
          { inputGrads: wanted.some(Boolean) },
        );
        merge(grads, back.grads);
        dxs = back.dxs;
      } else if (isMultiInput(owner)) {
        const back = owner.backward(outGrads[0] as tf.Tensor, cache);
        addBrickGrads(grads, owner, back.grads);
        dxs = back.dxs;
      } else {
        const layer = owner as Layer;
        if (dz) {
          const back = (layer.backwardFromPreActivation as NonNullable<Layer['backwardFromPreActivation']>)(dz, cache);
          addBrickGrads(grads, layer, back.grads);
          dxs = [back.dx];
        } else if (node.outputs.length > 1 || node.inputs.length > 1) {
          // A brick with extra outputs: dy may be missing when only the extras are read. Inputs after x
          // (initial states) get their gradients from dInitialState.
          const dy = outGrads[0] ?? tf.zerosLike((tape as GraphTape).firsts[k] as tf.Tensor);
          const back = layer.backward(dy, cache, outGrads.slice(1));
          addBrickGrads(grads, layer, back.grads);
          dxs = [back.dx, ...(back.dInitialState ?? [])];
        } else if (!wanted[0] && layer.paramGrads) {
          addBrickGrads(grads, layer, layer.paramGrads(outGrads[0] as tf.Tensor, cache));
          dxs = [null];
        } else {
          const back = layer.backward(outGrads[0] as tf.Tensor, cache);
          addBrickGrads(grads, layer, back.grads);
          dxs = [back.dx];
        }
      }
      node.inputs.forEach((t, j) => {
        const dx = dxs[j];
        if (dx && wanted[j]) add(t.id, dx);
      });
    }
    const dxs = this.graph.inputs.map((t) => (inputGrads ? (dOf.get(t.id) ?? null) : null));
    return { dxs, grads };
  }
}
