/**
 * A functional model's graph: found by walking back from the outputs through the nodes that symbolic
 * tensors record, ordered as Keras orders it (map_graph: a node's depth is its longest path to an output;
 * bricks are listed by decreasing depth, ties in the order a depth-first walk from the outputs meets them).
 * That order is the order of the model's weights, as in Keras and tfjs-layers.
 */
import { BrickError, formatShape } from '@brickml/core';
import { InputLayer, isSymbolic, type Node, type NodeOwner, type SymbolicTensor } from '@brickml/layers';
import type { Member } from './executor.js';

export interface Graph {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Every node but the inputs', in an order that computes each tensor before it is read. */
  readonly nodes: readonly Node[];
  /** Bricks and nested models, each once, in Keras' order. */
  readonly members: readonly Member[];
  /** The same with the inputs' placeholders (InputLayer) where Keras lists them. */
  readonly owners: readonly NodeOwner[];
  /** Each node's index among its owner's calls inside this model (0 for its first call). */
  readonly callIndex: ReadonlyMap<Node, number>;
  /** How many nodes read each tensor, by tensor id. */
  readonly readers: ReadonlyMap<number, number>;
}

export function mapGraph(who: string, inputs: readonly unknown[], outputs: readonly unknown[]): Graph {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  if (inputs.length === 0) fail('inputs must name at least one input()');
  if (outputs.length === 0) fail('outputs must name at least one tensor');
  inputs.forEach((t, i) => {
    if (!isSymbolic(t)) fail(`inputs[${i}] must be a symbolic tensor from input(), received ${describe(t)}`);
    else if (!(t.node.owner instanceof InputLayer)) fail(`inputs[${i}] must come from input(), received ${t}`);
  });
  outputs.forEach((t, i) => {
    if (!isSymbolic(t)) fail(`outputs[${i}] must be a symbolic tensor (a brick's apply), received ${describe(t)}`);
  });
  const ins = inputs as SymbolicTensor[];
  const outs = outputs as SymbolicTensor[];
  const given = new Set(ins.map((t) => t.node));
  if (given.size !== ins.length) fail('inputs lists the same input twice');

  // Depth-first from the outputs: the order owners are met, and nodes with every input before them.
  const ownerIndex = new Map<unknown, number>();
  const finished = new Set<Node>();
  const decreasing: Node[] = [];
  const visit = (t: SymbolicTensor, path: SymbolicTensor[]) => {
    const { node } = t;
    if (!ownerIndex.has(node.owner)) ownerIndex.set(node.owner, ownerIndex.size);
    if (finished.has(node)) return;
    if (node.owner instanceof InputLayer) {
      if (!given.has(node)) {
        const via = path.length ? ` (read by ${path[path.length - 1]?.producer})` : '';
        fail(`output ${outs.indexOf(path[0] ?? t)} needs input '${node.owner.name}'${via}, which is not in inputs`);
      }
    } else {
      for (const x of node.inputs) visit(x, [...path, t]);
    }
    finished.add(node);
    decreasing.push(node);
  };
  for (const t of outs) visit(t, []);
  for (const t of ins) {
    if (!finished.has(t.node)) fail(`input '${t.node.owner.name}' reaches no output`);
  }

  // Keras' depths: outputs 0, every node at least one deeper than each node reading it.
  const depth = new Map<Node, number>();
  const ownerDepth = new Map<unknown, number>();
  for (const node of [...decreasing].reverse()) {
    const d = Math.max(depth.get(node) ?? 0, ownerDepth.get(node.owner) ?? 0);
    ownerDepth.set(node.owner, d);
    depth.set(node, d);
    for (const x of node.inputs) depth.set(x.node, Math.max(d + 1, depth.get(x.node) ?? 0));
  }
  const byDepthThenMet = (a: unknown, b: unknown) =>
    (ownerDepth.get(b) as number) - (ownerDepth.get(a) as number) ||
    (ownerIndex.get(a) as number) - (ownerIndex.get(b) as number);
  const owners = [...ownerDepth.keys()].sort(byDepthThenMet) as NodeOwner[];
  const members = owners.filter((o) => !(o instanceof InputLayer)) as Member[];

  const names = new Map<string, unknown>();
  for (const owner of owners) {
    const { name } = owner as { name: string };
    if (names.has(name) && names.get(name) !== owner) fail(`names must be unique, '${name}' is used twice`);
    names.set(name, owner);
  }

  const nodes = decreasing
    .filter((n) => !(n.owner instanceof InputLayer))
    .sort((a, b) => (depth.get(b) as number) - (depth.get(a) as number));
  const callIndex = new Map<Node, number>();
  const calls = new Map<unknown, Node[]>();
  for (const node of decreasing) calls.set(node.owner, [...(calls.get(node.owner) ?? []), node]);
  for (const list of calls.values()) {
    list
      .sort((a, b) => firstId(a) - firstId(b))
      .forEach((n, i) => {
        callIndex.set(n, i);
      });
  }
  const readers = new Map<number, number>();
  for (const node of nodes) for (const x of node.inputs) readers.set(x.id, (readers.get(x.id) ?? 0) + 1);
  return { inputs: ins, outputs: outs, nodes, members, owners, callIndex, readers };
}

/** Nodes are created with their outputs: the first output's id orders a brick's calls by creation. */
const firstId = (n: Node) => n.outputs[0]?.id ?? 0;

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  const shape = (x as { shape?: unknown }).shape;
  if (Array.isArray(shape)) return `a tensor of shape ${formatShape(shape)}`;
  return typeof x;
}
