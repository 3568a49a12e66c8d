/** A functional model written as its spec: inputs, bricks in Keras' order with each call's inputs, outputs. */
import type { InputLayer, Node, SymbolicTensor } from '@brickml/layers';
import type { Graph } from './engine/graph.js';
import type { Model } from './model.js';
import type { FunctionalSpec, GraphLayerSpec, TensorRef } from './spec.js';

/** `"name"` for the first call's only output, `[name, call, output]` otherwise. */
export function tensorRef(graph: Graph, t: SymbolicTensor): TensorRef {
  const call = graph.callIndex.get(t.node) ?? 0;
  return call === 0 && t.index === 0 ? t.node.owner.name : [t.node.owner.name, call, t.index];
}

/** Each member's calls inside the graph, in call order. */
export function callsOf(graph: Graph): Map<unknown, Node[]> {
  const calls = new Map<unknown, Node[]>();
  for (const node of graph.nodes) calls.set(node.owner, [...(calls.get(node.owner) ?? []), node]);
  for (const list of calls.values()) list.sort((a, b) => (graph.callIndex.get(a) ?? 0) - (graph.callIndex.get(b) ?? 0));
  return calls;
}

export function functionalSpec(model: Model): FunctionalSpec {
  const graph = model.graph as Graph;
  const calls = callsOf(graph);
  const layers = model.layers.map((member): GraphLayerSpec => {
    const { className, config } = member.toSpec() as { className: string; config: Record<string, unknown> };
    const inbound = (calls.get(member) ?? []).map((node) => node.inputs.map((t) => tensorRef(graph, t)));
    return { className, config, inbound };
  });
  return {
    format: 'brickml.model',
    version: 1,
    className: 'Functional',
    config: {
      name: model.name,
      inputs: graph.inputs.map((t) => {
        const owner = t.node.owner as InputLayer;
        return { name: owner.name, shape: [...owner.shape], dtype: owner.dtype };
      }),
      layers,
      outputs: graph.outputs.map((t) => tensorRef(graph, t)),
    },
  };
}
