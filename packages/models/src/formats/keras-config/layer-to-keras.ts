/**
 * A brickml brick spec → one Keras layer config of either flavor: every field of the brick's full config
 * (defaults filled in) is written, so a reader's own defaults never decide anything.
 */
import type { BrickSpec } from '@brickml/layers';
import { activationToKeras } from './activations.js';
import { fail, type KerasFlavor, show } from './errors.js';
import { fullConfig, layerLabel } from './layer-config.js';
import { type FieldRule, KERAS_CLASS, LAYER_RULES } from './layer-rules.js';
import { initializerToKeras, regularizerToKeras } from './objects.js';

/** Keys of brickml's config the topology writes (the input's batch size), not the layer. */
const TOPOLOGY_KEYS = new Set(['name', 'batchSize']);

/** A brickml brick spec → the Keras layer `{class_name, config}` of that flavor (Keras 3: with module). */
export function kerasFromBrick(who: string, spec: BrickSpec, flavor: KerasFlavor): Record<string, unknown> {
  const config = fullConfig(spec);
  const label = `${who}: ${layerLabel(spec.className, config.name)}`;
  const kerasClass = KERAS_CLASS[spec.className];
  if (!kerasClass) return fail(label, `has no Keras layer class`);
  const out: Record<string, unknown> = { name: config.name, trainable: true };
  out.dtype =
    flavor === 'keras3'
      ? { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null }
      : 'float32';
  if (spec.className === 'Sigmoid' || spec.className === 'Tanh') out.activation = spec.className.toLowerCase();
  const rule = LAYER_RULES[kerasClass];
  const written = new Set(TOPOLOGY_KEYS);
  const others: FieldRule[] = [];
  for (const [key, f] of Object.entries(rule?.fields ?? {})) {
    if (f.only && f.only !== flavor) {
      others.push(f);
      continue;
    }
    written.add(f.brick);
    out[key] = writeField(who, `${label}: ${f.brick}`, f, config[f.brick], flavor);
  }
  const flavorName = flavor === 'keras2' ? 'Keras 2' : 'Keras 3';
  // A field the flavor lacks is written only at the value its absence means there.
  for (const f of others) {
    if (written.has(f.brick)) continue;
    written.add(f.brick);
    if (config[f.brick] !== f.implied) {
      return fail(
        label,
        `${f.brick} has no ${flavorName} counterpart, so must be ${show(f.implied)}, received ${show(config[f.brick])}`,
      );
    }
  }
  for (const [key, value] of Object.entries(config)) {
    if (!written.has(key) && value !== undefined) {
      return fail(label, `${key} has no ${flavorName} counterpart, received ${show(value)}`);
    }
  }
  return flavor === 'keras3'
    ? { module: 'keras.layers', class_name: kerasClass, config: out, registered_name: null }
    : { class_name: kerasClass, config: out };
}

function writeField(who: string, where: string, f: FieldRule, value: unknown, flavor: KerasFlavor): unknown {
  if (value === undefined) return null;
  switch (f.kind) {
    case 'single':
      return typeof value === 'number' ? [value] : value;
    case 'lastAxis':
      return -1;
    case 'pair':
      return typeof value === 'number' ? [value, value] : value;
    case 'margins': {
      const side = (v: unknown) => (typeof v === 'number' ? [v, v] : v);
      return typeof value === 'number' ? [side(value), side(value)] : (value as unknown[]).map(side);
    }
    case 'activation':
      return activationToKeras(where, value as string, flavor);
    case 'initializer':
      return initializerToKeras(value as never, flavor);
    case 'regularizer':
      return regularizerToKeras(value as never, flavor);
    case 'brick':
      return kerasFromBrick(who, value as BrickSpec, flavor);
    default:
      return value;
  }
}
