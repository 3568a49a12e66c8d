/**
 * What Keras 3's config.json holds beyond the layer-level translation (formats/keras-config): the model's
 * own envelope (module, registered_name, trainable, dtype policy, build_config, build_input_shape,
 * compile_config), each layer's build_config (the shape it was built for) and the shape and dtype of every
 * keras tensor in a functional model's inbound nodes; and, reading, the input shape a Sequential states only
 * in its build_config.
 */
import type { Shape } from '@brickml/core';
import { isMultiInput } from '@brickml/layers';
import { isNestedModel, type Member } from '../../engine/executor.js';
import type { Model } from '../../model.js';
import type { ModelSpec } from '../../spec.js';
import { kerasConfigFromSpec } from '../keras-config/index.js';
import { isRecord } from '../keras-config/names.js';
import { kerasCompileConfig } from './compile-config.js';

type Json = Record<string, unknown>;

/** Keras 3's float32 dtype policy object, as every layer and model states it. */
export const FLOAT32_POLICY = {
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name: 'float32' },
  registered_name: null,
} as const;

const batched = (shape: Shape) => [null, ...shape];

/** A brick's build_config: the batch shape (or, for a brick of several inputs, the list of them) it was built for. */
function buildConfigOf(member: Member): Json {
  if (isNestedModel(member)) {
    const shapes = (member as Model).inputShapes;
    return { input_shape: shapes && shapes.length === 1 && shapes[0] ? batched(shapes[0]) : null };
  }
  if (isMultiInput(member)) return { input_shape: member.inputShapes.map(batched) };
  return { input_shape: batched(member.inputShape) };
}

/** The model as Keras 3's config.json holds it (with its compile_config, unless left out). */
export function keras3ModelConfig(who: string, model: Model, { includeOptimizer = true } = {}): Json {
  const config = envelope(model, kerasConfigFromSpec(model.toSpec() as ModelSpec, 'keras3') as Json);
  return includeOptimizer ? { ...config, compile_config: kerasCompileConfig(who, model) } : config;
}

/** A model's config with Keras 3's envelope and every layer's build details. */
function envelope(model: Model, translated: Json): Json {
  const inner = isRecord(translated.config) ? translated.config : {};
  const layers = Array.isArray(inner.layers) ? (inner.layers as Json[]) : [];
  const shapes = model.inputShapes ?? [];
  const first = shapes[0];
  if (model.className === 'Sequential') {
    const [head, ...rest] = layers;
    const entries =
      head && head.class_name === 'InputLayer'
        ? [inputLayer(head), ...rest.map((l, i) => layerEntry(model.layers[i], l))]
        : layers.map((l, i) => layerEntry(model.layers[i], l));
    const inputShape = first ? batched(first) : null;
    return {
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: model.name,
        trainable: true,
        dtype: FLOAT32_POLICY,
        layers: entries,
        ...(inputShape && { build_input_shape: inputShape }),
      },
      registered_name: null,
      build_config: { input_shape: inputShape },
    };
  }
  const tensorShapes = producedShapes(model);
  const entries = layers.map((l) => {
    if (l.class_name === 'InputLayer') return { ...inputLayer(l), name: l.name, inbound_nodes: [] };
    const member = model.getLayer(String(l.name));
    const body = layerEntry(member, l);
    return {
      ...body,
      name: l.name,
      inbound_nodes: Array.isArray(l.inbound_nodes)
        ? l.inbound_nodes.map((n) => withTensorShapes(n, tensorShapes))
        : [],
    };
  });
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: model.name,
      trainable: true,
      layers: entries,
      input_layers: inner.input_layers,
      output_layers: inner.output_layers,
    },
    registered_name: 'Functional',
    build_config: { input_shape: null },
  };
}

/** The constraint fields Keras 3 writes (as null: brickml has no constraints) for each class that has them. */
const CONSTRAINTS: Record<string, string[]> = {
  Dense: ['kernel_constraint', 'bias_constraint'],
  Conv1D: ['kernel_constraint', 'bias_constraint'],
  Conv2D: ['kernel_constraint', 'bias_constraint'],
  Conv2DTranspose: ['kernel_constraint', 'bias_constraint'],
  DepthwiseConv2D: ['depthwise_constraint', 'bias_constraint'],
  SeparableConv2D: ['depthwise_constraint', 'pointwise_constraint', 'bias_constraint'],
  Embedding: ['embeddings_constraint'],
  BatchNormalization: ['beta_constraint', 'gamma_constraint'],
  LayerNormalization: ['beta_constraint', 'gamma_constraint'],
  SimpleRNN: ['kernel_constraint', 'recurrent_constraint', 'bias_constraint'],
  LSTM: ['kernel_constraint', 'recurrent_constraint', 'bias_constraint'],
  GRU: ['kernel_constraint', 'recurrent_constraint', 'bias_constraint'],
};

/**
 * A layer config as Keras 3's get_config has it: the constraint fields present (null), and
 * activity_regularizer present only when the layer has one (Layer.get_config leaves a null one out).
 */
function keras3LayerConfig(className: unknown, config: unknown): unknown {
  if (!isRecord(config)) return config;
  const out: Json = { ...config };
  if (out.activity_regularizer === null) delete out.activity_regularizer;
  for (const key of CONSTRAINTS[String(className)] ?? []) if (!(key in out)) out[key] = null;
  return out;
}

/** One layer entry in Keras 3's key order: module, class_name, config, registered_name, build_config. */
function layerEntry(member: Member | undefined, l: Json): Json {
  if (member && isNestedModel(member)) {
    const nested = envelope(member as Model, l);
    return nested;
  }
  return {
    module: l.module ?? 'keras.layers',
    class_name: l.class_name,
    config: keras3LayerConfig(l.class_name, l.config),
    registered_name: l.registered_name ?? null,
    ...(member && { build_config: buildConfigOf(member) }),
  };
}

function inputLayer(l: Json): Json {
  const c = isRecord(l.config) ? l.config : {};
  return {
    module: 'keras.layers',
    class_name: 'InputLayer',
    config: { batch_shape: c.batch_shape, dtype: c.dtype ?? 'float32', sparse: false, ragged: false, name: c.name },
    registered_name: null,
  };
}

/** Every tensor of a functional model by `layer/node/tensor`: its batch shape. */
function producedShapes(model: Model): Map<string, (number | null)[]> {
  const shapes = new Map<string, (number | null)[]>();
  const spec = model.toSpec();
  if (spec.className !== 'Functional') return shapes;
  (model.inputShapes ?? []).forEach((s, i) => {
    const name = model.inputNames[i];
    if (name) shapes.set(`${name}/0/0`, batched(s));
  });
  for (const l of spec.config.layers) {
    const name = String(l.config.name);
    const member = model.getLayer(name);
    const outs: Shape[] = isNestedModel(member)
      ? (member as Model).outputShapes
      : [member.outputShape, ...((member as { extraOutputShapes?: Shape[] }).extraOutputShapes ?? [])];
    l.inbound.forEach((_, call) => {
      outs.forEach((s, t) => {
        shapes.set(`${name}/${call}/${t}`, batched(s));
      });
    });
  }
  return shapes;
}

/** An inbound node with each keras tensor's shape filled in from the model. */
function withTensorShapes(node: unknown, shapes: Map<string, (number | null)[]>): unknown {
  if (Array.isArray(node)) return node.map((n) => withTensorShapes(n, shapes));
  if (!isRecord(node)) return node;
  if (node.class_name === '__keras_tensor__' && isRecord(node.config)) {
    const history = node.config.keras_history as [string, number, number];
    return {
      class_name: '__keras_tensor__',
      config: { shape: shapes.get(history.join('/')) ?? null, dtype: 'float32', keras_history: history },
    };
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withTensorShapes(v, shapes)]));
}

/**
 * A Keras 3 config made ready for the layer translator: a Sequential that states its input shape only in its
 * build_config (a Sequential built by calling it, without an Input) gets the InputLayer Keras would write.
 */
export function withStatedInput(config: unknown): unknown {
  if (!isRecord(config) || config.class_name !== 'Sequential' || !isRecord(config.config)) return config;
  const layers = config.config.layers;
  if (!Array.isArray(layers) || (isRecord(layers[0]) && layers[0].class_name === 'InputLayer')) return config;
  const build = isRecord(config.build_config) ? config.build_config.input_shape : undefined;
  const stated = config.config.build_input_shape ?? build;
  if (!Array.isArray(stated)) return config;
  const input = { class_name: 'InputLayer', config: { batch_shape: stated, dtype: 'float32', name: 'input_layer' } };
  return { ...config, config: { ...config.config, layers: [input, ...layers] } };
}
