/**
 * model.json and its weight files ↔ the artifacts tf.io handlers pass around. model.json holds the topology,
 * and a weightsManifest of groups, each listing its shard files (`paths`) and the weights they hold in order;
 * the shards of all groups, read in order, are the weight data.
 */
import type { io } from '@tensorflow/tfjs-core';
import { joinWeightData } from '../../io/checksum.js';
import { fail, show } from '../keras-config/errors.js';
import { isRecord } from '../keras-config/names.js';

/** The artifacts of a model.json, its shards read through `readFile` (a path relative to model.json). */
export function tfjsArtifactsFromModelJson(
  who: string,
  json: unknown,
  readFile: (path: string) => Uint8Array | ArrayBuffer,
): io.ModelArtifacts {
  if (!isRecord(json) || json.modelTopology === undefined) {
    return fail(
      who,
      `model.json must hold a modelTopology, received ${show(isRecord(json) ? Object.keys(json) : json)}`,
    );
  }
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest))
    return fail(who, `weightsManifest must be a list of groups, received ${show(manifest)}`);
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const shards: ArrayBuffer[] = [];
  for (const [i, group] of manifest.entries()) {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      return fail(who, `weightsManifest[${i}] must be {paths, weights}, received ${show(group)}`);
    }
    weightSpecs.push(...(group.weights as io.WeightsManifestEntry[]));
    for (const path of group.paths) {
      const bytes = readFile(String(path));
      // A copy of exactly the shard's bytes (a Node Buffer may be a view into a larger pool).
      shards.push(new Uint8Array(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).buffer);
    }
  }
  const artifacts: io.ModelArtifacts = {
    modelTopology: json.modelTopology as object,
    weightSpecs,
    weightData: shards,
  };
  for (const key of ['format', 'generatedBy', 'convertedBy', 'trainingConfig', 'userDefinedMetadata'] as const) {
    if (json[key] !== undefined) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  return artifacts;
}

/** model.json and its one weight file (named `weightsFile`) for artifacts, as tfjs-layers writes them. */
export function modelJsonFromTfjsArtifacts(artifacts: io.ModelArtifacts, weightsFile = 'weights.bin') {
  const weights = new Uint8Array(joinWeightData(artifacts.weightData));
  const modelJson: Record<string, unknown> = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
  return { modelJson, weights };
}
