/**
 * A brickml Model → tfjs-layers artifacts, in the dialect tfjs-layers 4.22 writes and reads: a Keras 2
 * topology, weights named `<layer>/<weight>` as tfjs-layers names its variables
 * (`bidirectional/forward_lstm/kernel`, a TimeDistributed's inner weights under its own name), float32.
 */
import { BrickError } from '@brickml/core';
import type { BrickSpec } from '@brickml/layers';
import type { io } from '@tensorflow/tfjs-core';
import { namedWeights } from '../../io/weights.js';
import type { Model } from '../../model.js';
import { kerasConfigFromSpec, kerasTrainingConfig, kerasWeights } from '../keras-config/index.js';
import { checkTfjsLimits } from './tfjs-limits.js';
import { encodeWeights } from './weight-data.js';

/** The Keras version field tfjs-layers 4.22 writes: the dialect these artifacts follow. */
const KERAS_VERSION = 'tfjs-layers 4.22.0';

/**
 * The model as tfjs-layers artifacts (a brick tfjs-layers lacks, or a setting it lacks, is a named error;
 * a compiled model's loss, optimizer and metrics go in trainingConfig where tfjs-layers has them): format 'layers-model', modelTopology in tfjs' own shape
 * ({class_name, config, keras_version, backend}), weightSpecs named as tfjs-layers names them, weightData.
 */
export async function modelToTfjsArtifacts(model: Model): Promise<io.ModelArtifacts> {
  const who = 'modelToTfjsArtifacts';
  const topology = kerasConfigFromSpec(model.toSpec(), 'keras2');
  checkTfjsLimits(who, topology);
  const params: { name: string; shape: number[]; values: Float32Array }[] = [];
  const state: typeof params = [];
  const owner = new Map<string, string>();
  for (const [name, slot] of namedWeights(model)) {
    // A stateful brick's carried states are not weights in tfjs-layers.
    const w = kerasWeights(slot.layer.toSpec() as BrickSpec).find((x) => x.key === slot.key);
    if (!w) continue;
    const tfjsName = `${slot.layer.name}/${w.keras}`;
    const other = owner.get(tfjsName);
    if (other) {
      throw new BrickError(
        `${who}: weights '${other}' and '${name}' would both be named '${tfjsName}': rename one of the bricks`,
        who,
      );
    }
    owner.set(tfjsName, name);
    const values = new Float32Array((await slot.variable.data()) as Float32Array);
    (slot.kind === 'param' ? params : state).push({ name: tfjsName, shape: [...slot.variable.shape], values });
  }
  // tfjs-layers lists trainable weights first.
  const { weightSpecs, weightData } = encodeWeights([...params, ...state]);
  const trainingConfig = kerasTrainingConfig(model);
  return {
    ...(trainingConfig && { trainingConfig: trainingConfig as unknown as io.TrainingConfig }),
    format: 'layers-model',
    generatedBy: 'brickml',
    convertedBy: null,
    modelTopology: { ...topology, keras_version: KERAS_VERSION, backend: 'tensor_flow.js' },
    weightSpecs,
    weightData,
  };
}
