/**
 * Keras model configs ({class_name: 'Sequential' | 'Functional' | 'Model', config}) → brickml model specs:
 * a Sequential here, a functional model in functional-config.ts, InputLayers in input-config.ts.
 */
import type { ModelSpec, SequentialSpec } from '../../spec.js';
import { fail, failField, type KerasFlavor, show } from './errors.js';
import { functionalSpec, MODEL_CLASSES } from './functional-config.js';
import { inputLayer, statedShape } from './input-config.js';
import { brickFromKeras, type LayerContext } from './layer-config.js';
import { isRecord } from './names.js';

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
    : functionalSpec(who, model.config, ctx, modelSpec);
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
        `is a model (${show(entry.class_name)}), which brickml's Sequential spec cannot hold: use a Functional model to nest it`,
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
