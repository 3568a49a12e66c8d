/**
 * tfjs-layers artifacts → a brickml Model: what tf.io handlers return for a model tfjs-layers saved
 * (modelTopology {class_name, config, keras_version, backend}), or for one the TensorFlow.js converter wrote
 * from Keras (modelTopology {keras_version, backend, model_config, training_config}).
 */
import { BrickError } from '@brickml/core';
import type { io } from '@tensorflow/tfjs-core';
import { joinWeightData } from '../../io/checksum.js';
import type { Model } from '../../model.js';
import { fail, type KerasFlavor, show } from '../keras-config/errors.js';
import { assignKerasNamedWeights, compileFromKeras, modelFromKerasConfig } from '../keras-config/index.js';
import { isRecord } from '../keras-config/names.js';
import { decodeWeights } from './weight-data.js';

/**
 * True when the artifacts hold a Keras/tfjs-layers topology (format 'layers-model', or a modelTopology with
 * class_name, or the converter's { model_config, training_config } wrapping).
 */
export function isTfjsLayersArtifacts(artifacts: io.ModelArtifacts): boolean {
  if (artifacts.format === 'layers-model') return true;
  const t = artifacts.modelTopology;
  return isRecord(t) && (typeof t.class_name === 'string' || isRecord(t.model_config));
}

/** The model config, its flavor (Keras 3 when keras_version says 3.x) and the training config, if any. */
export function readTopology(who: string, artifacts: io.ModelArtifacts) {
  if (artifacts.format !== undefined && artifacts.format !== 'layers-model') {
    return fail(who, `format must be 'layers-model', received ${show(artifacts.format)}`);
  }
  const t = artifacts.modelTopology;
  if (!isRecord(t))
    return fail(
      who,
      `modelTopology must be a Keras model config (JSON), received ${t instanceof ArrayBuffer ? 'binary data' : show(t)}`,
    );
  const modelConfig = isRecord(t.model_config) ? t.model_config : t;
  const version = String(t.keras_version ?? modelConfig.keras_version ?? '');
  const flavor: KerasFlavor = /^3\./.test(version) ? 'keras3' : 'keras2';
  const training = artifacts.trainingConfig ?? t.training_config ?? null;
  return { modelConfig, flavor, training };
}

/**
 * Builds the brickml Model (weights assigned) from tfjs-layers artifacts; named errors for unsupported
 * layers (named, never skipped) and weight names or shapes that do not match. With a training config, the
 * model comes back compiled with the equivalent loss, optimizer and metrics when brickml has them, and
 * uncompiled with a warning saying why otherwise.
 */
export function modelFromTfjsArtifacts(who: string, artifacts: io.ModelArtifacts): Model {
  const { modelConfig, flavor, training } = readTopology(who, artifacts);
  const weights = decodeWeights(who, artifacts.weightSpecs ?? [], new Uint8Array(joinWeightData(artifacts.weightData)));
  // The optimizer's state tfjs-layers saves with includeOptimizer: brickml starts its optimizer afresh.
  for (const spec of artifacts.weightSpecs ?? []) if (spec.group === 'optimizer') weights.delete(spec.name);
  let model: Model;
  try {
    model = modelFromKerasConfig(who, modelConfig, flavor);
  } catch (e) {
    if (e instanceof BrickError && !e.message.startsWith(who)) throw new BrickError(`${who}: ${e.message}`, who);
    throw e;
  }
  try {
    assignKerasNamedWeights(who, model, weights);
    compileFromKeras(who, model, training, flavor);
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
