/**
 * Reading a .keras file: config.json through the Keras 3 layer translation (formats/keras-config), then
 * model.weights.h5 onto the built model, then compile_config when it maps to brickml's losses, optimizers
 * and metrics.
 */
import { BrickError } from '@brickml/core';
import type { Model } from '../../model.js';
import { compileFromKeras, modelFromKerasConfig } from '../keras-config/index.js';
import { readH5 } from './h5.js';
import { assignKerasWeights } from './keras-weights.js';
import { withStatedInput } from './keras3-config.js';
import { kerasVarsGroups } from './weights-layout.js';
import { readKerasArchive } from './zip.js';

/**
 * The brickml Model (weights assigned) a .keras file holds; compiled when its compile_config maps to
 * brickml's losses/optimizers/metrics, uncompiled with a warning saying why otherwise. Named errors for unsupported layers, missing or misshapen weights.
 *
 * @example
 * const model = await modelFromKerasFile('mnist.keras', new Uint8Array(await readFile('mnist.keras')));
 */
export async function modelFromKerasFile(who: string, bytes: Uint8Array): Promise<Model> {
  const archive = readKerasArchive(who, bytes);
  const config = archive.config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new BrickError(
      `${who}: config.json must hold a model config object, received ${JSON.stringify(config)}`,
      who,
    );
  }
  const model = modelFromKerasConfig(who, withStatedInput(config), 'keras3');
  try {
    const hasWeights = kerasVarsGroups(model).some((g) => g.weights.length > 0);
    if (archive.weights) assignKerasWeights(who, model, await readH5(who, archive.weights));
    else if (hasWeights)
      throw new BrickError(`${who}: the archive holds no model.weights.h5, but the model has weights`, who);
    compileFromKeras(who, model, (config as { compile_config?: unknown }).compile_config, 'keras3');
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
