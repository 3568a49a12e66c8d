/**
 * Keras functional model configs → brickml functional specs. Keras 2 and tfjs-layers write a call's inputs
 * as [[layer, node, tensor, kwargs], ...]; Keras 3 as {args: [keras tensors or lists of them], kwargs}, each
 * keras tensor naming [layer, node, tensor] in its keras_history. A node index counts the calls of that
 * layer inside this model, as brickml's TensorRef does.
 */
import type { BrickSpec } from '@brickml/layers';
import type { FunctionalSpec, GraphLayerSpec, ModelSpec, TensorRef } from '../../spec.js';
import { fail, failField, type KerasFlavor, show } from './errors.js';
import { inputLayer } from './input-config.js';
import { brickFromKeras, type LayerContext, layerLabel } from './layer-config.js';
import { isRecord } from './names.js';

export const MODEL_CLASSES: ReadonlySet<string> = new Set(['Sequential', 'Functional', 'Model']);

/** Translates a nested model's config (the caller's own translator, which this one serves). */
type NestedSpec = (who: string, model: unknown, ctx: LayerContext) => ModelSpec;

/** [layer, node, tensor] (node and tensor default 0) → a TensorRef. */
function tensorRef(where: string, v: unknown): TensorRef {
  if (!Array.isArray(v) || typeof v[0] !== 'string')
    return failField(where, `must be [layer, node, tensor], received ${show(v)}`);
  const [name, node = 0, tensor = 0] = v as [string, unknown, unknown];
  if (!Number.isInteger(node) || !Number.isInteger(tensor) || (node as number) < 0 || (tensor as number) < 0) {
    return failField(where, `must be [layer, node, tensor] with indices 0 or more, received ${show(v)}`);
  }
  return node === 0 && tensor === 0 ? name : [name, node as number, tensor as number];
}

/** The refs a Keras 3 call argument holds: a keras tensor, or a list (or dict) of them. */
function kerasTensors(where: string, arg: unknown): unknown[] {
  if (Array.isArray(arg)) return arg.flatMap((a, i) => kerasTensors(`${where}[${i}]`, a));
  if (isRecord(arg) && arg.class_name === '__keras_tensor__' && isRecord(arg.config)) return [arg.config.keras_history];
  return failField(where, `must be a tensor of the model, received ${show(arg)}`);
}

/** kwargs a call may carry: none, or only nulls (Keras 3 writes {mask: null}). */
function checkKwargs(where: string, kwargs: unknown) {
  if (kwargs === undefined || kwargs === null) return;
  if (!isRecord(kwargs)) return failField(where, `must be an object, received ${show(kwargs)}`);
  for (const [k, v] of Object.entries(kwargs)) {
    if (v !== null) failField(`${where}.${k}`, `is a call argument brickml does not take, received ${show(v)}`);
  }
}

/** The inputs of each call of a layer, from inbound_nodes of either flavor. */
function inboundOf(where: string, nodes: unknown): TensorRef[][] {
  if (!Array.isArray(nodes)) return failField(where, `must be a list of calls, received ${show(nodes)}`);
  return nodes.map((node, k) => {
    const at = `${where}[${k}]`;
    if (isRecord(node)) {
      checkKwargs(`${at}.kwargs`, node.kwargs);
      const args = Array.isArray(node.args)
        ? node.args
        : failField(`${at}.args`, `must be a list, received ${show(node.args)}`);
      return kerasTensors(`${at}.args`, args).map((h, j) => tensorRef(`${at}.args[${j}].keras_history`, h));
    }
    if (!Array.isArray(node) || node.length === 0)
      return failField(at, `must list the call's inputs, received ${show(node)}`);
    return node.map((t, j) => {
      if (Array.isArray(t)) checkKwargs(`${at}[${j}][3]`, t[3]);
      return tensorRef(`${at}[${j}]`, t);
    });
  });
}

/** input_layers / output_layers: a list of [layer, node, tensor], or Keras 3's one bare triple. */
function endpoints(where: string, v: unknown): TensorRef[] {
  if (!Array.isArray(v) || v.length === 0)
    return failField(where, `must list [layer, node, tensor] triples, received ${show(v)}`);
  const list = typeof v[0] === 'string' ? [v] : v;
  return list.map((t, i) => tensorRef(`${where}[${i}]`, t));
}

/**
 * Whether Keras counts a node of the nested model's own before its calls: a model built on its inputs
 * starts with a node linking them to its outputs, which the config leaves out of inbound_nodes but counts in
 * node indices (Keras 2 and tfjs-layers: a Functional, or a Sequential given an input shape; Keras 3: a
 * Functional).
 */
export function skipsFirstNode(spec: ModelSpec, flavor: KerasFlavor): boolean {
  if (spec.className === 'Functional') return true;
  return flavor === 'keras2' && spec.config.inputShape !== undefined;
}

const refName = (r: TensorRef) => (typeof r === 'string' ? r : r[0]);
const refCall = (r: TensorRef) => (typeof r === 'string' ? 0 : r[1]);

export function functionalSpec(
  who: string,
  config: unknown,
  ctx: LayerContext,
  nestedSpec: NestedSpec,
): FunctionalSpec {
  if (!isRecord(config) || !Array.isArray(config.layers)) {
    return fail(who, `a Functional config must hold layers, received ${show(config)}`);
  }
  const inputs = new Map<string, FunctionalSpec['config']['inputs'][number]>();
  const layers: GraphLayerSpec[] = [];
  const calls = new Map<string, number>();
  const skipFirst = new Set<string>();
  let batchSize: number | undefined;
  for (const [i, entry] of (config.layers as unknown[]).entries()) {
    if (!isRecord(entry)) return failField(`${who}: layers[${i}]`, `must be a layer entry, received ${show(entry)}`);
    const c = isRecord(entry.config) ? entry.config : {};
    const name = entry.name ?? c.name;
    if (typeof name !== 'string' || !name)
      return failField(`${who}: layers[${i}]`, `must have a name, received ${show(name)}`);
    if (calls.has(name)) return failField(`${who}: layers[${i}]`, `name '${name}' is used twice`);
    if (entry.class_name === 'InputLayer') {
      const { shape, batch, dtype } = inputLayer(who, entry);
      batchSize ??= batch;
      inputs.set(name, { name, shape: shape as number[], dtype });
      calls.set(name, 1);
      continue;
    }
    const inbound = inboundOf(
      `${who}: ${layerLabel(String(entry.class_name), name)}: inbound_nodes`,
      entry.inbound_nodes,
    );
    if (inbound.length === 0)
      return failField(
        `${who}: ${layerLabel(String(entry.class_name), name)}: inbound_nodes`,
        'must hold at least one call',
      );
    calls.set(name, inbound.length);
    if (MODEL_CLASSES.has(entry.class_name as string)) {
      const nested = nestedSpec(who, { class_name: entry.class_name, config: entry.config }, ctx);
      layers.push({ className: nested.className, config: { ...nested.config, name }, inbound });
      if (skipsFirstNode(nested, ctx.flavor)) skipFirst.add(name);
    } else {
      const brick: BrickSpec = brickFromKeras(who, { ...entry, config: { ...c, name } }, { ...ctx, batchSize });
      layers.push({ ...(brick as { className: string; config: Record<string, unknown> }), inbound });
    }
  }
  // Node indices of a nested model that starts with a node of its own count that node (see skipsFirstNode).
  const shift = (where: string, r: TensorRef): TensorRef => {
    if (!skipFirst.has(refName(r))) return r;
    const [name, node, tensor] = typeof r === 'string' ? [r, 0, 0] : r;
    if (node < 1)
      return failField(where, `refers to node 0 of model '${name}', its own input node, which no call makes`);
    return node === 1 && tensor === 0 ? name : [name, node - 1, tensor];
  };
  for (const l of layers) {
    l.inbound = l.inbound.map((refs, k) =>
      refs.map((r, j) => shift(`${who}: layer '${l.config.name}': inbound_nodes[${k}][${j}]`, r)),
    );
  }
  // Every reference names a layer of this model and a call it makes.
  const check = (where: string, r: TensorRef) => {
    const have = calls.get(refName(r));
    if (have === undefined) failField(where, `refers to layer '${refName(r)}', which the model does not have`);
    if (refCall(r) >= (have as number)) {
      failField(where, `refers to call ${refCall(r)} of '${refName(r)}', which is called ${have} time(s)`);
    }
  };
  for (const l of layers) {
    l.inbound.forEach((refs, k) => {
      for (const [j, r] of refs.entries()) check(`${who}: layer '${l.config.name}': inbound_nodes[${k}][${j}]`, r);
    });
  }
  const inputRefs = endpoints(`${who}: input_layers`, config.input_layers);
  const outputs = endpoints(`${who}: output_layers`, config.output_layers).map((r, j) =>
    shift(`${who}: output_layers[${j}]`, r),
  );
  for (const [j, r] of outputs.entries()) check(`${who}: output_layers[${j}]`, r);
  const inputList = inputRefs.map(
    (r, j) =>
      inputs.get(refName(r)) ??
      failField(`${who}: input_layers[${j}]`, `refers to '${refName(r)}', which is not an InputLayer of the model`),
  );
  return {
    format: 'brickml.model',
    version: 1,
    className: 'Functional',
    config: { ...(typeof config.name === 'string' && { name: config.name }), inputs: inputList, layers, outputs },
  };
}
