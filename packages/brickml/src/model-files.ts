/**
 * The models the CLI reads: a spec file (`{ "format": "brickml.model", ... }`, built with fresh weights) or
 * anything loadModel reads (a saved folder or its model.json, a tfjs-layers model.json, a .keras file);
 * and the formats it saves them in.
 */
import { readFile, stat } from 'node:fs/promises';
import { BrickError } from '@brickml/core';
import { loadModel, type Model, modelFromSpec, type SAVE_FORMATS } from '@brickml/models';
import { message, onPath, withoutSchema } from './cli-io.js';

/** A model and whether it came from a spec file (so its weights are fresh, not trained). */
export interface ReadModel {
  model: Model;
  fromSpec: boolean;
}

const isSpec = (json: unknown) =>
  typeof json === 'object' && json !== null && (json as { format?: unknown }).format === 'brickml.model';

/**
 * Reads the model at `path`; `who` names the caller in errors.
 *
 * @example
 * const { model } = await readModel('./mnist-model', 'brickml summary');
 */
export async function readModel(path: string, who: string): Promise<ReadModel> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (e) {
    throw new BrickError(`${who}: could not read ${path} (${message(e)})`, who);
  }
  if (isFile && path.toLowerCase().endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new BrickError(`${who}: could not read ${path} as JSON (${message(e)})`, who);
    }
    // A saved model.json holds the spec too, but with a weights manifest beside it: loadModel reads it.
    if (isSpec(json) && !('weightsManifest' in (json as object))) {
      return { model: modelFromSpec(withoutSchema(json)), fromSpec: true };
    }
  }
  return { model: await onPath(who, 'read', path, () => loadModel(path)), fromSpec: false };
}

/** Reads a model that must hold trained weights: a spec file is refused by name. */
export async function readTrainedModel(path: string, who: string): Promise<Model> {
  const { model, fromSpec } = await readModel(path, who);
  if (fromSpec) {
    model.dispose();
    throw new BrickError(`${who}: ${path} is a model spec without weights; train it first (brickml fit)`, who);
  }
  return model;
}

/** A format a model is saved in (convert's --format, a training file's output.format). */
export type Format = (typeof SAVE_FORMATS)[number];

/** The format a save to `path` writes: the one asked for, else keras for a .keras path, else brickml. */
export const saveFormat = (path: string, format?: Format): Format =>
  format ?? (path.endsWith('.keras') ? 'keras' : 'brickml');

/** What a save line adds when the format cannot hold the run's training state (a tfjs folder, a .keras file). */
export const stateNote = (format: Format, trainingState: unknown) =>
  format === 'brickml' || !trainingState ? '' : ` (without its training state, which ${format} files cannot carry)`;
