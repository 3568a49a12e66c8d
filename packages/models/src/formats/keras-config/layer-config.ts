/**
 * One Keras layer config (snake_case, serialized objects) → brickml's brick spec (camelCase, its zod forms):
 * every field the file holds is translated (LAYER_RULES), checked to be a value brickml's math matches
 * (GUARDS), or refused by name; nothing is read by default. Writing is layer-to-keras.ts.
 */
import { type BrickSpec, layerFromSpec } from '@brickml/layers';
import { activationFromKeras } from './activations.js';
import { bidirectionalTemplate } from './bidirectional.js';
import { fail, failField, type KerasFlavor, show } from './errors.js';
import { type FieldRule, LAYER_RULES } from './layer-rules.js';
import { isRecord } from './names.js';
import { initializerFromKeras, regularizerFromKeras } from './objects.js';

/** What a layer's translation may need from the model around it. */
export interface LayerContext {
  /** The flavor of the file. */
  flavor: KerasFlavor;
  /** The batch size the model's input fixes (a stateful recurrent brick keeps states for it). */
  batchSize?: number | undefined;
  /** Positive axes read as the last one, for the caller to check once shapes are known. */
  lastAxes?: { layer: string; axis: number }[];
}

interface Guard {
  ok: (v: unknown) => boolean;
  must: string;
}
const any: Guard = { ok: () => true, must: '' };
const isFalse: Guard = { ok: (v) => v === false || v === null, must: 'be false' };
const isNull: Guard = { ok: (v) => v === null, must: 'be null' };

/**
 * Fields that change nothing brickml computes (unroll, implementation: how the same math runs; input shapes:
 * read by the topology), or that brickml's math matches at one value only.
 */
const GUARDS: Record<string, Guard> = {
  trainable: { ok: (v) => v !== false, must: 'be true (brickml trains every weight)' },
  data_format: { ok: (v) => v === null || v === 'channels_last', must: "be 'channels_last'" },
  dtype: {
    ok: (v) => v === null || v === 'float32' || (isRecord(v) && isRecord(v.config) && v.config.name === 'float32'),
    must: "be 'float32'",
  },
  time_major: isFalse,
  groups: { ok: (v) => v === 1, must: 'be 1' },
  lora_rank: isNull,
  lora_alpha: any,
  quantization_config: isNull,
  renorm: isFalse,
  renorm_clipping: isNull,
  renorm_momentum: any,
  virtual_batch_size: isNull,
  adjustment: isNull,
  fused: any,
  synchronized: any,
  rms_scaling: isFalse,
  unroll: any,
  implementation: any,
  use_cudnn: any,
  autocast: any,
  sparse: isFalse,
  ragged: isFalse,
  zero_output_for_mask: isFalse,
  backward_layer: isNull,
  activity_regularizer: { ok: (v) => v === null, must: 'be null (this brick has no activity regularizer)' },
  batch_input_shape: any,
  batch_shape: any,
  batch_size: any,
  input_shape: any,
  input_dtype: any,
  input_length: any,
};

/** `Dense 'dense_1'`: how errors name a layer. */
export const layerLabel = (className: string, name: unknown) => `${className} '${String(name ?? '?')}'`;

/** A Keras layer `{class_name, config}` → brickml's brick spec `{className, config}`. */
export function brickFromKeras(who: string, entry: unknown, ctx: LayerContext): BrickSpec {
  if (!isRecord(entry) || typeof entry.class_name !== 'string') {
    return fail(who, `a layer must be {class_name, config}, received ${show(entry)}`);
  }
  const config = entry.config;
  const name = (isRecord(config) ? config.name : undefined) ?? entry.name;
  const label = `${who}: ${layerLabel(entry.class_name, name)}`;
  const rule = LAYER_RULES[entry.class_name];
  if (!rule) {
    return fail(
      label,
      `brickml has no layer class '${entry.class_name}' (it reads ${Object.keys(LAYER_RULES).join(', ')})`,
    );
  }
  if (!isRecord(config)) return fail(label, `config must be an object, received ${show(config)}`);
  const out: Record<string, unknown> = {};
  if (typeof name === 'string') out.name = name;
  const fields = entry.class_name === 'Bidirectional' ? bidirectionalTemplate(label, config) : config;
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'name') continue;
    const where = `${label}: ${key}`;
    const f = rule.fields[key];
    if (f) {
      const v = readField(who, where, f, value, ctx, String(name));
      if (v !== undefined) out[f.brick] = v;
      continue;
    }
    const guard =
      GUARDS[key] ??
      (key.endsWith('_constraint') ? { ok: (v) => v === null, must: 'be null (brickml has no constraints)' } : null);
    if (!guard) return fail(label, `field '${key}' has no brickml counterpart, received ${show(value)}`);
    if (!guard.ok(value)) return failField(where, `must ${guard.must}, received ${show(value)}`);
  }
  if (ctx.flavor === 'keras2') {
    for (const [key, f] of Object.entries(rule.fields)) {
      if (f.absentInKeras2 !== undefined && !(key in config)) out[f.brick] = f.absentInKeras2;
    }
  }
  if (out.stateful === true && ctx.batchSize !== undefined) out.batchSize = ctx.batchSize;
  return { className: rule.brick, config: out };
}

function readField(
  who: string,
  where: string,
  f: FieldRule,
  value: unknown,
  ctx: LayerContext,
  layer: string,
): unknown {
  switch (f.kind) {
    case 'value':
      return value === null ? undefined : value;
    case 'nullable':
      return value;
    case 'flag':
      return value === null ? false : value;
    case 'single':
      if (Array.isArray(value) && value.length === 1) return value[0];
      return value === null ? undefined : value;
    // Keras writes every size in full; brickml's spec keeps a square one as one number.
    case 'pair':
      return Array.isArray(value) && value.length === 2 && value[0] === value[1] ? value[0] : (value ?? undefined);
    case 'margins': {
      if (!Array.isArray(value)) return value ?? undefined;
      const sides = value.map((v) => (Array.isArray(v) && v.length === 2 && v[0] === v[1] ? v[0] : v));
      return sides.length === 2 && typeof sides[0] === 'number' && sides[0] === sides[1] ? sides[0] : sides;
    }
    case 'activation':
      return activationFromKeras(where, value, ctx.flavor);
    case 'initializer':
      return initializerFromKeras(where, value);
    case 'regularizer':
      return regularizerFromKeras(where, value);
    case 'brick':
      return brickFromKeras(who, value, ctx);
    case 'lastAxis': {
      const axis = Array.isArray(value) && value.length === 1 ? value[0] : value;
      if (axis === -1) return -1;
      if (!Number.isInteger(axis) || (axis as number) < 1)
        return failField(where, `must be the last axis, received ${show(value)}`);
      ctx.lastAxes?.push({ layer, axis: axis as number });
      return -1;
    }
  }
}

/** brickml's full config of a brick spec (every default filled in), built without any weight. */
export function fullConfig(spec: BrickSpec): Record<string, unknown> {
  const brick = layerFromSpec(spec);
  const config = { ...(brick.config as Record<string, unknown>) };
  brick.dispose();
  return config;
}
