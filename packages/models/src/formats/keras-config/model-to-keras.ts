/**
 * brickml model specs → Keras model configs. Keras 2 (what tfjs-layers reads): a Sequential's first layer
 * carries batch_input_shape; a functional model lists InputLayers and [[layer, node, tensor, {}]] calls.
 * Keras 3: a Sequential starts with an InputLayer; calls are {args, kwargs} with keras tensors.
 */
import type { BrickSpec } from '@brickml/layers';
import { type FunctionalSpec, ModelSpec, type SequentialSpec, type TensorRef } from '../../spec.js';
import { fail, type KerasFlavor } from './errors.js';
import { skipsFirstNode } from './functional-config.js';
import { fullConfig } from './layer-config.js';
import { kerasFromBrick } from './layer-to-keras.js';

const WHO = 'kerasConfigFromSpec';

/** A brickml ModelSpec → the Keras model config of that flavor ({class_name, config}). */
export function kerasConfigFromSpec(spec: ModelSpec, flavor: KerasFlavor): Record<string, unknown> {
  const parsed = ModelSpec.safeParse(spec);
  if (!parsed.success) return fail(WHO, `the spec must be a brickml model spec: ${parsed.error.issues[0]?.message}`);
  return spec.className === 'Sequential'
    ? sequentialConfig(spec as SequentialSpec, flavor)
    : functionalConfig(spec as FunctionalSpec, flavor);
}

const wrap = (flavor: KerasFlavor, className: string, config: Record<string, unknown>) =>
  flavor === 'keras3'
    ? { module: 'keras', class_name: className, config, registered_name: null }
    : { class_name: className, config };

function inputLayer(
  flavor: KerasFlavor,
  name: string,
  shape: readonly (number | null)[],
  dtype: string,
  batch: number | null,
) {
  const key = flavor === 'keras3' ? 'batch_shape' : 'batch_input_shape';
  const layer = { class_name: 'InputLayer', config: { [key]: [batch, ...shape], dtype, sparse: false, name } };
  return flavor === 'keras3' ? { module: 'keras.layers', ...layer, registered_name: null } : layer;
}

/** The batch size a stateful recurrent brick fixes (Keras keeps it in the input's batch shape), or null. */
function statefulBatch(layers: readonly BrickSpec[]): number | null {
  for (const l of layers) {
    const c = fullConfig(l);
    const inner = (c.layer as BrickSpec | undefined) && fullConfig(c.layer as BrickSpec);
    const size = (c.stateful && c.batchSize) || (inner?.stateful && inner.batchSize);
    if (typeof size === 'number') return size;
  }
  return null;
}

function sequentialConfig(spec: SequentialSpec, flavor: KerasFlavor): Record<string, unknown> {
  const { name, inputShape, layers } = spec.config;
  const keras = layers.map((l) => kerasFromBrick(WHO, l as BrickSpec, flavor)) as { config: Record<string, unknown> }[];
  const batch = statefulBatch(layers as BrickSpec[]);
  if (inputShape && flavor === 'keras3')
    keras.unshift(inputLayer(flavor, `${name ?? 'sequential'}_input`, inputShape, 'float32', batch) as never);
  else if (inputShape && keras[0]) keras[0].config.batch_input_shape = [batch, ...inputShape];
  return wrap(flavor, 'Sequential', { name: name ?? 'sequential', layers: keras });
}

function functionalConfig(spec: FunctionalSpec, flavor: KerasFlavor): Record<string, unknown> {
  const { name, inputs, layers, outputs } = spec.config;
  // A nested model's node indices count its own first node where Keras does (see skipsFirstNode).
  const offset = new Map(
    layers
      .filter((l) => l.className === 'Sequential' || l.className === 'Functional')
      .map((l) => [
        l.config.name as string,
        skipsFirstNode({ className: l.className, config: l.config } as ModelSpec, flavor) ? 1 : 0,
      ]),
  );
  const triple = (r: TensorRef): [string, number, number] => {
    const [n, node, tensor] = typeof r === 'string' ? [r, 0, 0] : r;
    return [n, node + (offset.get(n) ?? 0), tensor];
  };
  const bricks = layers.filter((l) => l.className !== 'Sequential' && l.className !== 'Functional');
  const batch = statefulBatch(bricks.map(({ className, config }) => ({ className, config }) as BrickSpec));
  const call = (refs: TensorRef[]) => {
    if (flavor === 'keras2') return refs.map((r) => [...triple(r), {}]);
    const tensors = refs.map((r) => ({
      class_name: '__keras_tensor__',
      config: { shape: null, dtype: 'float32', keras_history: triple(r) },
    }));
    return { args: refs.length === 1 ? tensors : [tensors], kwargs: {} };
  };
  const entries = [
    ...inputs.map((i) => ({
      ...inputLayer(flavor, i.name, i.shape, i.dtype ?? 'float32', batch),
      name: i.name,
      inbound_nodes: [],
    })),
    ...layers.map((l) => {
      const layerName = l.config.name as string;
      const body =
        l.className === 'Sequential' || l.className === 'Functional'
          ? kerasConfigFromSpec(
              { format: 'brickml.model', version: 1, className: l.className, config: l.config } as ModelSpec,
              flavor,
            )
          : kerasFromBrick(WHO, { className: l.className, config: l.config } as BrickSpec, flavor);
      return { ...body, name: layerName, inbound_nodes: l.inbound.map((refs) => call(refs as TensorRef[])) };
    }),
  ];
  return wrap(flavor, flavor === 'keras2' ? 'Model' : 'Functional', {
    name: name ?? 'model',
    layers: entries,
    input_layers: inputs.map((i) => [i.name, 0, 0]),
    output_layers: outputs.map((r) => triple(r)),
  });
}
