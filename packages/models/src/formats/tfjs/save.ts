/**
 * A brickml Model → tfjs-layers artifacts, in the dialect tfjs-layers 4.22 writes and reads: a Keras 2
 * topology, weights named `<layer>/<weight>` as tfjs-layers names its variables
 * (`bidirectional/forward_lstm/kernel`, a TimeDistributed's inner weights under its own name), float32.
 */
import { BrickError } from '@brickml/core';
import type { Brick, BrickSpec } from '@brickml/layers';
import type { io } from '@tensorflow/tfjs-core';
import { describeSlot, namedWeights } from '../../io/weights.js';
import type { Model } from '../../model.js';
import { kerasConfigFromSpec } from '../keras-config/model-to-keras.js';
import { tfjsTrainingConfig } from '../keras-config/tfjs-training-config.js';
import { type KerasWeight, kerasWeights } from '../keras-config/weights.js';
import { checkTfjsLimits } from './tfjs-limits.js';
import { encodeWeights } from './weight-data.js';

/** The Keras version field tfjs-layers 4.22 writes: the dialect these artifacts follow. */
const KERAS_VERSION = 'tfjs-layers 4.22.0';

export interface TfjsSaveOptions {
  /**
   * Whether a compiled model's loss, optimizer and metrics go in trainingConfig (where tfjs-layers has
   * them; otherwise a warning says why they are left out). Default: true.
   */
  includeOptimizer?: boolean;
}

/**
 * The model as tfjs-layers artifacts: format 'layers-model', modelTopology in tfjs' own shape
 * ({class_name, config, keras_version, backend}), weightSpecs named as tfjs-layers names them, weightData.
 * A brick tfjs-layers lacks, or a setting it lacks, is a named error.
 *
 * @example
 * const artifacts = await modelToTfjsArtifacts(model, { includeOptimizer: false });
 */
export async function modelToTfjsArtifacts(
  model: Model,
  { includeOptimizer = true }: TfjsSaveOptions = {},
): Promise<io.ModelArtifacts> {
  const who = `${model.label}.save`;
  const topology = kerasConfigFromSpec(model.toSpec(), 'keras2');
  checkTfjsLimits(who, topology);
  const params: { name: string; shape: number[]; values: Float32Array }[] = [];
  const state: typeof params = [];
  const owner = new Map<string, string>();
  const perBrick = new Map<Brick, KerasWeight[]>();
  for (const [name, slot] of namedWeights(model)) {
    if (!perBrick.has(slot.layer)) perBrick.set(slot.layer, kerasWeights(slot.layer.toSpec() as BrickSpec));
    const w = perBrick.get(slot.layer)?.find((x) => x.key === slot.key);
    if (!w) {
      // A stateful brick's carried states are not weights in tfjs-layers: they start at zero there.
      if (slot.kind === 'state') continue;
      throw new BrickError(`${who}: ${describeSlot(slot)} has no Keras weight name`, who);
    }
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
  const training = includeOptimizer ? tfjsTrainingConfig(model) : null;
  if (training && 'why' in training) console.warn(`${who}: the training config is left out: ${training.why}`);
  return {
    ...(training && 'value' in training && { trainingConfig: training.value as unknown as io.TrainingConfig }),
    format: 'layers-model',
    generatedBy: 'brickml',
    convertedBy: null,
    modelTopology: { ...topology, keras_version: KERAS_VERSION, backend: 'tensor_flow.js' },
    weightSpecs,
    weightData,
  };
}
