/**
 * brickml's saved form is a tf.io.ModelArtifacts, so every tfjs IO handler (IndexedDB, localStorage,
 * downloads, http, memory) stores it as it stores a tfjs model:
 * - `modelTopology`: the model's spec; `format`: 'brickml';
 * - `weightSpecs` + `weightData`: the weights by name (`dense_1/kernel`), little-endian float32, then the
 *   optimizer's slots (`optimizer/dense_1/kernel/m`, group 'optimizer');
 * - `userDefinedMetadata.brickml`: which weights are state, the compile configuration, the optimizer's step
 *   count, the SHA-256 of the weight bytes, and the caller's `trainingState`.
 * A loader checks every name, shape and the checksum before any weight is assigned.
 */
import { BrickError, configObject, formatShape, parseConfig, sizeOf } from '@brickml/core';
import type { Optimizer, OptimizerState } from '@brickml/optimizers';
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Model } from '../model.js';
import { modelFromSpec } from '../model-from-spec.js';
import { ModelSpec } from '../spec.js';
import { joinWeightData, sha256 } from './checksum.js';
import { slotsByVariable, slotsByWeightName } from './optimizer-state.js';
import { compileArgsOf, TrainingConfig, trainingConfigOf } from './training-config.js';
import { assignNamedWeights, describeSlot, namedWeights, sameShape } from './weights.js';

export const BRICKML_FORMAT = 'brickml';
const OPTIMIZER = 'optimizer/';
const BYTES = 4;

/** What `model.save()` and `modelToArtifacts` take. */
export interface SaveOptions {
  /** 'brickml' (default), 'tfjs' (tfjs-layers' model.json) or 'keras' (default for paths ending in .keras). */
  format?: 'brickml' | 'tfjs' | 'keras';
  /** Save the compile configuration and the optimizer's state too. Default: true. */
  includeOptimizer?: boolean;
  /** JSON-safe training progress kept with the model; loadModel gives it back as `model.trainingState`. */
  trainingState?: Record<string, unknown>;
}

const Metadata = configObject({
  /** Names of the weights that are state (not trained): BatchNormalization's moving statistics. */
  state: z.array(z.string()),
  /** SHA-256 (hex) of the weight bytes. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** compile's configuration; absent when the model was saved uncompiled or without it. */
  training: TrainingConfig.optional(),
  /** The optimizer's step count; its slots are the 'optimizer' weights. */
  optimizerIterations: z.int().nonnegative().optional(),
  /** The caller's JSON (epoch, RNG and callback states for resuming). */
  trainingState: z.record(z.string(), z.unknown()).optional(),
});
type Metadata = z.output<typeof Metadata>;

/**
 * The model as tfjs ModelArtifacts in brickml's format: weights, spec, and (unless includeOptimizer is
 * false) the compile configuration and the optimizer's state.
 */
export async function modelToBrickmlArtifacts(model: Model, options: SaveOptions = {}): Promise<tf.io.ModelArtifacts> {
  const who = `${model.label}.save`;
  const slots = [...namedWeights(model)];
  const entries: { spec: tf.io.WeightsManifestEntry; values: ArrayLike<number> }[] = [];
  for (const [name, s] of slots) {
    entries.push({ spec: { name, shape: [...s.variable.shape], dtype: 'float32' }, values: await s.variable.data() });
  }
  const training = options.includeOptimizer === false ? null : trainingConfigOf(who, model);
  let iterations: number | undefined;
  if (training) {
    const state = slotsByWeightName(await model.optimizer.getState(), model);
    iterations = state.iterations;
    for (const [weight, bySlot] of Object.entries(state.slots)) {
      for (const [slot, { shape, values }] of Object.entries(bySlot)) {
        const spec: tf.io.WeightsManifestEntry = {
          name: `${OPTIMIZER}${weight}/${slot}`,
          shape,
          dtype: 'float32',
          group: 'optimizer',
        };
        entries.push({ spec, values });
      }
    }
  }
  const weightData = new ArrayBuffer(entries.reduce((n, e) => n + e.values.length, 0) * BYTES);
  const view = new DataView(weightData);
  let offset = 0;
  for (const { values: v } of entries)
    for (let i = 0; i < v.length; i++, offset += BYTES) view.setFloat32(offset, Number(v[i]), true);
  const metadata: Metadata = {
    state: slots.filter(([, s]) => s.kind === 'state').map(([name]) => name),
    sha256: await sha256(weightData),
    ...(training && { training, optimizerIterations: iterations }),
    ...(options.trainingState && { trainingState: JSON.parse(JSON.stringify(options.trainingState)) }),
  };
  return {
    format: BRICKML_FORMAT,
    generatedBy: 'brickml',
    convertedBy: null,
    modelTopology: model.toSpec() as unknown as object,
    weightSpecs: entries.map((e) => e.spec),
    weightData,
    userDefinedMetadata: { brickml: metadata },
  };
}

/** True when the artifacts are in brickml's own format. */
export const isBrickmlArtifacts = (a: tf.io.ModelArtifacts) => a.format === BRICKML_FORMAT;

/**
 * Builds the model that brickml-format artifacts describe: weights assigned, compiled with its optimizer's
 * state when the save held them, `trainingState` set. Any mismatch is a named error, and nothing is left
 * allocated.
 */
export async function modelFromBrickmlArtifacts(who: string, artifacts: tf.io.ModelArtifacts): Promise<Model> {
  const meta = parseConfig(`${who}: userDefinedMetadata.brickml`, Metadata, artifacts.userDefinedMetadata?.brickml);
  const spec = parseConfig(`${who}: modelTopology`, ModelSpec, artifacts.modelTopology);
  const data = joinWeightData(artifacts.weightData);
  const specs = artifacts.weightSpecs ?? [];
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  const needed = specs.reduce((n, s) => n + sizeOf(s.shape) * BYTES, 0);
  if (data.byteLength !== needed) fail(`the weights hold ${data.byteLength} bytes, the manifest needs ${needed}`);
  const digest = await sha256(data);
  if (digest !== meta.sha256) {
    fail(`the weights' SHA-256 is ${digest}, the save recorded ${meta.sha256}: the weight bytes are corrupted`);
  }
  const values = new Map<string, Float32Array>();
  const view = new DataView(data);
  let offset = 0;
  for (const { name, shape, dtype } of specs) {
    if (dtype !== 'float32') fail(`weight '${name}' is ${dtype}; brickml saves float32 only`);
    if (values.has(name)) fail(`the manifest lists weight '${name}' twice`);
    const v = new Float32Array(sizeOf(shape));
    for (let i = 0; i < v.length; i++, offset += BYTES) v[i] = view.getFloat32(offset, true);
    values.set(name, v);
  }
  const model = modelFromSpec(spec);
  try {
    const slots = namedWeights(model);
    const state = new Set(meta.state);
    const modelValues = new Map<string, Float32Array>();
    const optimizerValues: [string, number[], Float32Array][] = [];
    for (const s of specs) {
      if (s.name.startsWith(OPTIMIZER) && s.group === 'optimizer') {
        optimizerValues.push([s.name.slice(OPTIMIZER.length), s.shape, values.get(s.name) as Float32Array]);
        continue;
      }
      const slot = slots.get(s.name);
      if (slot) {
        if (!sameShape(slot.variable.shape, s.shape)) {
          fail(
            `${describeSlot(slot)} must have shape ${formatShape(slot.variable.shape)}, the manifest gives ${formatShape(s.shape)}`,
          );
        }
        const kind = state.has(s.name) ? 'state' : 'param';
        if (kind !== slot.kind) fail(`${describeSlot(slot)} is a ${slot.kind}, the manifest says ${kind}`);
      }
      modelValues.set(s.name, values.get(s.name) as Float32Array);
    }
    assignNamedWeights(who, model, modelValues);
    if (meta.training) {
      model.compile(compileArgsOf(meta.training));
      restoreOptimizer(who, model.optimizer, meta.optimizerIterations ?? 0, optimizerValues, model);
    }
    model.trainingState = meta.trainingState ?? null;
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Gives the optimizer its slots back, keyed by the new model's variables. */
function restoreOptimizer(
  who: string,
  optimizer: Optimizer,
  iterations: number,
  saved: [string, number[], Float32Array][],
  model: Model,
): void {
  const state: OptimizerState = { className: optimizer.className, iterations, slots: {} };
  for (const [path, shape, values] of saved) {
    const cut = path.lastIndexOf('/');
    const weight = path.slice(0, cut);
    const bySlot = state.slots[weight] ?? {};
    bySlot[path.slice(cut + 1)] = { shape, values: Array.from(values) };
    state.slots[weight] = bySlot;
  }
  optimizer.setState(slotsByVariable(who, state, model), model.trainableVariables());
}
