/**
 * Keras model configs ({class_name: 'Sequential' | 'Functional' | 'Model', config}) → brickml model specs.
 * Keras 2 and tfjs-layers write a call's inputs as [[layer, node, tensor, kwargs], ...]; Keras 3 as
 * {args: [keras tensors or lists of them], kwargs}, each keras tensor naming [layer, node, tensor] in its
 * keras_history. A node index counts the calls of that layer inside this model, as brickml's TensorRef does.
 */
import type { BrickSpec } from '@brickml/layers';
import type { FunctionalSpec, GraphLayerSpec, ModelSpec, SequentialSpec, TensorRef } from '../../spec.js';
import { fail, failField, isRecord, type KerasFlavor, show } from './errors.js';
import { brickFromKeras, type LayerContext, layerLabel } from './layer-config.js';

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** What translating a model found beyond its spec: positive axes read as the last one, to check when built. */
export interface KerasReading {
  spec: ModelSpec;
  lastAxes: { layer: string; axis: number }[];
}

/** A Keras model config → brickml ModelSpec (see the module comment). */
export function specFromKerasConfig(who: string, config: unknown, flavor: KerasFlavor): ModelSpec {
  return readKerasModel(who, config, flavor).spec;
}

/** specFromKerasConfig, with what must be checked once the model is built. */
export function readKerasModel(who: string, config: unknown, flavor: KerasFlavor): KerasReading {
  const lastAxes: KerasReading['lastAxes'] = [];
  return { spec: modelSpec(who, config, { flavor, lastAxes }), lastAxes };
}

function modelSpec(who: string, model: unknown, ctx: LayerContext): ModelSpec {
  if (!isRecord(model) || !MODEL_CLASSES.has(model.class_name as string)) {
    return fail(
      who,
      `the model config must be {class_name: 'Sequential' | 'Functional' | 'Model', config}, received class_name ${show(isRecord(model) ? model.class_name : model)}`,
    );
  }
  return model.class_name === 'Sequential'
    ? sequentialSpec(who, model.config, ctx)
    : functionalSpec(who, model.config, ctx);
}

/** The example shape (no batch axis) and batch size of a batch shape, or nothing. */
function batchShape(where: string, v: unknown): { shape: (number | null)[]; batch: number | undefined } | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length < 1 || !v.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
    return failField(where, `must be a batch shape [batch, ...dims] of positive integers or null, received ${show(v)}`);
  }
  return { shape: v.slice(1), batch: v[0] ?? undefined };
}

/** The input shape a layer's config states (batch_input_shape, batch_shape, or Embedding's input_length). */
function statedShape(who: string, entry: Record<string, unknown>) {
  const c = isRecord(entry.config) ? entry.config : {};
  const label = `${who}: ${layerLabel(String(entry.class_name), c.name)}`;
  const stated = batchShape(`${label}: batch_input_shape`, c.batch_input_shape ?? c.batch_shape);
  if (stated) return stated;
  if (typeof c.input_length === 'number') return { shape: [c.input_length], batch: undefined };
  return undefined;
}

/** InputLayer fields: what it states (shape, dtype, name), or a value that changes nothing (a dense input). */
const INPUT_FIELDS: Record<string, (v: unknown) => boolean> = {
  batch_input_shape: () => true,
  batch_shape: () => true,
  input_shape: () => true,
  dtype: () => true,
  name: () => true,
  sparse: (v) => !v,
  ragged: (v) => !v,
  optional: (v) => !v,
};

/** An InputLayer's config, every field read: the shape it states, and its dtype (float32 or int32). */
function inputLayer(who: string, entry: Record<string, unknown>) {
  const c = isRecord(entry.config) ? entry.config : {};
  const name = entry.name ?? c.name;
  const label = `${who}: ${layerLabel('InputLayer', name)}`;
  for (const [k, v] of Object.entries(c)) {
    const ok = INPUT_FIELDS[k];
    if (!ok) fail(label, `field '${k}' has no brickml counterpart, received ${show(v)}`);
    else if (!ok(v))
      failField(`${label}: ${k}`, `must be false (brickml's inputs are dense tensors), received ${show(v)}`);
  }
  const stated = statedShape(who, entry) ?? failField(label, 'must state its batch_input_shape');
  const dtype = c.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') {
    return failField(`${label}: dtype`, `must be 'float32' or 'int32', received ${show(dtype)}`);
  }
  return { ...stated, dtype: dtype as 'float32' | 'int32' };
}

function sequentialSpec(who: string, config: unknown, ctx: LayerContext): SequentialSpec {
  // Keras 2.0-2.1 wrote a Sequential's config as the list of its layers.
  const c = Array.isArray(config) ? { layers: config } : config;
  if (!isRecord(c) || !Array.isArray(c.layers))
    return fail(who, `a Sequential config must hold layers, received ${show(config)}`);
  let entries = c.layers as unknown[];
  let stated: ReturnType<typeof statedShape>;
  const first = entries[0];
  if (isRecord(first) && first.class_name === 'InputLayer') {
    stated = inputLayer(who, first);
    entries = entries.slice(1);
  } else if (isRecord(first)) {
    stated = statedShape(who, first);
  }
  const layerCtx = { ...ctx, batchSize: stated?.batch };
  const layers = entries.map((entry, i) => {
    if (isRecord(entry) && MODEL_CLASSES.has(entry.class_name as string)) {
      return failField(
        `${who}: layers[${i}]`,
        `is a model, which brickml's Sequential spec cannot hold by brickml's Sequential spec, received ${show(entry.class_name)}`,
      );
    }
    return brickFromKeras(who, entry, layerCtx);
  }) as SequentialSpec['config']['layers'];
  return {
    format: 'brickml.model',
    version: 1,
    className: 'Sequential',
    config: {
      ...(typeof c.name === 'string' && { name: c.name }),
      ...(stated && { inputShape: stated.shape as number[] }),
      layers,
    },
  };
}

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

function functionalSpec(who: string, config: unknown, ctx: LayerContext): FunctionalSpec {
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
      const nested = modelSpec(who, { class_name: entry.class_name, config: entry.config }, ctx);
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
