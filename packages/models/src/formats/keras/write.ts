/**
 * Writing a .keras file as Keras 3's saving_lib does: metadata.json, config.json (the model config with its
 * compile_config) and model.weights.h5, in a zip stored without compression.
 */
import { BrickError } from '@brickml/core';
import type { Model } from '../../model.js';
import { writeH5 } from './h5.js';
import { kerasWeightsTree } from './keras-weights.js';
import { keras3ModelConfig } from './keras3-config.js';
import { writeKerasArchive } from './zip.js';

/** The Keras release whose file layout this writer follows; metadata.json states it as keras_version. */
export const KERAS_VERSION = '3.10.0';

const two = (n: number) => String(n).padStart(2, '0');

/** datetime.now().strftime('%Y-%m-%d@%H:%M:%S'), as Keras dates a save. */
export function kerasDate(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}@${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export interface KerasSaveOptions {
  /** Whether a compiled model's compile_config (and its optimizer's group) is written. Default: true. */
  includeOptimizer?: boolean;
}

/**
 * The model as .keras bytes, laid out as Keras 3 writes them.
 *
 * @example
 * await writeFile('model.keras', await modelToKerasFile(model, { includeOptimizer: false }));
 */
export async function modelToKerasFile(model: Model, options: KerasSaveOptions = {}): Promise<Uint8Array> {
  const who = `${model.label}.save`;
  if (!model.built) {
    throw new BrickError(`${who}: the model must be built (give it an input shape or call it once) before saving`, who);
  }
  const config = JSON.stringify(keras3ModelConfig(who, model, options));
  const metadata = JSON.stringify({ keras_version: KERAS_VERSION, date_saved: kerasDate(new Date()) });
  const weights = await writeH5(await kerasWeightsTree(model, options));
  return writeKerasArchive({ config, metadata, weights });
}
