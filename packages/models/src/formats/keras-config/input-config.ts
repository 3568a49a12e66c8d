/** A Keras InputLayer, or the input shape a model's first layer states, as brickml's input. */
import { fail, failField, show } from './errors.js';
import { layerLabel } from './layer-config.js';
import { isRecord } from './names.js';

/** The example shape (no batch axis) and batch size of a batch shape, or nothing. */
function batchShape(where: string, v: unknown): { shape: (number | null)[]; batch: number | undefined } | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length < 1 || !v.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
    return failField(where, `must be a batch shape [batch, ...dims] of positive integers or null, received ${show(v)}`);
  }
  return { shape: v.slice(1), batch: v[0] ?? undefined };
}

/** The input shape a layer's config states (batch_input_shape, batch_shape, or Embedding's input_length). */
export function statedShape(who: string, entry: Record<string, unknown>) {
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
export function inputLayer(who: string, entry: Record<string, unknown>) {
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
