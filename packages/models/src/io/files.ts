/**
 * Saving and loading models. Like Keras and tfjs-layers, the weights travel apart from the spec: model.json
 * holds the spec plus a manifest (name, shape, dtype of each weight) and weights.bin holds the values,
 * little-endian float32, concatenated in manifest order. A loader refuses a manifest the spec does not match.
 */
import { BrickError, formatShape, nonNegativeInt, parseConfig, sizeOf } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Model } from '../model.js';
import { modelFromSpec } from '../model-from-spec.js';
import { FunctionalSpec, SequentialSpec } from '../spec.js';
import { describeSlot, namedWeights, sameShape, type WeightSlot } from './weights.js';

const fileName = z.string().regex(/^(?!\.\.?$)[^/\\]+$/, { error: 'must be a file name inside the model folder' });

export const WeightEntry = z.strictObject({
  /** `<layerName>/<key>`: the brick's name (behind its nested models' names) and the weight's key in its params or state. */
  name: z.string().min(1),
  /** Shape of the weight. */
  shape: z.array(nonNegativeInt()),
  /** Element type in the binary file: only float32. */
  dtype: z.literal('float32'),
  /** 'param' (trained) or 'state' (not trained, saved: BatchNormalization's moving statistics). */
  kind: z.enum(['param', 'state']),
});
export type WeightEntry = z.infer<typeof WeightEntry>;

export const WeightsGroup = z.strictObject({
  /** Files beside model.json whose bytes, concatenated in order, hold this group's weights. */
  paths: z.array(fileName).min(1),
  /** The weights stored in those files, in byte order. */
  weights: z.array(WeightEntry),
});
export type WeightsGroup = z.infer<typeof WeightsGroup>;

const manifest = {
  /** Where each weight lies in the binary files, groups in byte order. */
  weightsManifest: z.array(WeightsGroup),
};

/** model.json: the model's spec (Sequential or Functional) plus its weights manifest. */
export const ModelJson = z.discriminatedUnion('className', [
  SequentialSpec.extend(manifest),
  FunctionalSpec.extend(manifest),
]);
export type ModelJson = z.input<typeof ModelJson>;

/** A saved model held in memory: the JSON document and the bytes of its weight files, concatenated. */
export interface ModelArtifacts {
  modelJson: ModelJson;
  weightData: ArrayBuffer;
}

const BYTES = 4;

/**
 * The model as `{ modelJson, weightData }`, for browsers and tests (saveModel writes these two to disk).
 *
 * @example
 * const { modelJson, weightData } = await modelToArtifacts(model);
 * const copy = modelFromArtifacts({ modelJson, weightData });
 */
export async function modelToArtifacts(model: Model): Promise<ModelArtifacts> {
  const slots = [...namedWeights(model)];
  const values = await Promise.all(slots.map(([, s]) => s.variable.data()));
  const total = values.reduce((n, v) => n + v.length, 0);
  const weightData = new ArrayBuffer(total * BYTES);
  const view = new DataView(weightData);
  let offset = 0;
  for (const v of values) {
    for (let i = 0; i < v.length; i++, offset += BYTES) view.setFloat32(offset, Number(v[i]), true);
  }
  const weights = slots.map(([name, s]) => ({
    name,
    shape: [...s.variable.shape],
    dtype: 'float32' as const,
    kind: s.kind,
  }));
  const modelJson = { ...model.toSpec(), weightsManifest: [{ paths: ['weights.bin'], weights }] } as ModelJson;
  return { modelJson, weightData };
}

/** Builds a model from `{ modelJson, weightData }`, after checking every manifest entry against the spec. */
export function modelFromArtifacts(artifacts: { modelJson: unknown; weightData: ArrayBuffer }): Model {
  const json = parseConfig('modelFromArtifacts', ModelJson, artifacts.modelJson);
  return restore('modelFromArtifacts', json, artifacts.weightData);
}

function restore(who: string, json: z.output<typeof ModelJson>, weightData: ArrayBuffer): Model {
  if (Object.prototype.toString.call(weightData) !== '[object ArrayBuffer]') {
    throw new BrickError(`${who}: weightData must be an ArrayBuffer, received ${typeof weightData}`, who);
  }
  const { weightsManifest, ...spec } = json;
  const model = modelFromSpec(spec);
  try {
    const entries = weightsManifest.flatMap((g) => g.weights);
    const slots = namedWeights(model);
    checkManifest(who, slots, entries, weightData.byteLength);
    const values = new Map<string, Float32Array>();
    const view = new DataView(weightData);
    let offset = 0;
    for (const { name, shape } of entries) {
      const v = new Float32Array(sizeOf(shape));
      for (let i = 0; i < v.length; i++, offset += BYTES) v[i] = view.getFloat32(offset, true);
      values.set(name, v);
    }
    const tensors = [...slots].map(([name, s]) => tf.tensor(values.get(name) as Float32Array, s.variable.shape));
    try {
      model.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Throws a BrickError at the first entry that does not match the built model, before any weight is assigned. */
function checkManifest(who: string, slots: Map<string, WeightSlot>, entries: WeightEntry[], bytes: number): void {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  const seen = new Set<string>();
  let needed = 0;
  for (const { name, shape, kind } of entries) {
    const s = slots.get(name) ?? fail(`the manifest holds weight '${name}', which the model's spec does not create`);
    if (seen.has(name)) fail(`the manifest lists weight '${name}' twice`);
    if (!sameShape(s.variable.shape, shape)) {
      fail(
        `${describeSlot(s)} must have shape ${formatShape(s.variable.shape)}, the manifest gives ${formatShape(shape)}`,
      );
    }
    if (kind !== s.kind) fail(`${describeSlot(s)} is a ${s.kind}, the manifest says ${kind}`);
    seen.add(name);
    needed += sizeOf(shape) * BYTES;
  }
  for (const [name, s] of slots) {
    if (!seen.has(name)) {
      fail(`the manifest has no weight '${name}' for ${describeSlot(s)} of shape ${formatShape(s.variable.shape)}`);
    }
  }
  if (bytes !== needed) fail(`the weight files hold ${bytes} bytes, the manifest needs ${needed}`);
}

/**
 * Writes `dir/model.json` (spec + weights manifest) and `dir/weights.bin` (Node only). Each file is written
 * under a temporary name in `dir` and renamed into place, so no half-written file is ever left.
 *
 * @example
 * await saveModel(model, './mnist-model');
 * const again = await loadModel('./mnist-model');
 */
export async function saveModel(model: Model, dir: string): Promise<void> {
  const [{ mkdir, rename, rm, writeFile }, { join }, { randomUUID }] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('node:crypto'),
  ]);
  const { modelJson, weightData } = await modelToArtifacts(model);
  await mkdir(dir, { recursive: true });
  const tag = randomUUID();
  const files = [
    { name: 'weights.bin', bytes: new Uint8Array(weightData) },
    { name: 'model.json', bytes: `${JSON.stringify(modelJson, null, 2)}\n` },
  ].map((f) => ({ ...f, path: join(dir, f.name), temp: join(dir, `.${f.name}.${tag}.tmp`) }));
  try {
    for (const f of files) await writeFile(f.temp, f.bytes);
    // Weights first: model.json appears last, naming only files that are already complete.
    for (const f of files) await rename(f.temp, f.path);
  } finally {
    await Promise.all(files.map((f) => rm(f.temp, { force: true })));
  }
}

/** Reads a model saved by saveModel (Node only); refuses a manifest that does not match the spec. */
export async function loadModel(dir: string): Promise<Model> {
  const [{ readFile }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const who = `loadModel('${dir}')`;
  const read = async (name: string) => {
    try {
      return await readFile(join(dir, name));
    } catch (e) {
      throw new BrickError(`${who}: cannot read ${name}: ${(e as Error).message}`, who);
    }
  };
  let raw: unknown;
  try {
    raw = JSON.parse((await read('model.json')).toString('utf8'));
  } catch (e) {
    if (e instanceof BrickError) throw e;
    throw new BrickError(`${who}: model.json is not valid JSON: ${(e as Error).message}`, who);
  }
  const json = parseConfig(who, ModelJson, raw);
  const buffers = [];
  for (const name of json.weightsManifest.flatMap((g) => g.paths)) buffers.push(await read(name));
  const bytes = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of buffers) {
    bytes.set(b, at);
    at += b.byteLength;
  }
  return restore(who, json, bytes.buffer);
}
