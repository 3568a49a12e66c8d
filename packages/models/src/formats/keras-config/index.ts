/** Keras layer and model configs ↔ brickml specs, and Keras' weight names, for every Keras-based format. */
export { activationFromKeras, activationToKeras, KERAS2_HARD_SIGMOID } from './activations.js';
export { assignKerasNamedWeights, type FileWeight } from './assign-weights.js';
export { modelFromKerasConfig } from './build-model.js';
export { compileFromKeras } from './compile-from-keras.js';
export type { KerasFlavor } from './errors.js';
export { brickFromKeras } from './layer-config.js';
export { kerasFromBrick } from './layer-to-keras.js';
export { type KerasReading, readKerasModel, specFromKerasConfig } from './model-config.js';
export { kerasConfigFromSpec } from './model-to-keras.js';
export { initializerFromKeras, initializerToKeras, regularizerFromKeras, regularizerToKeras } from './objects.js';
export { tfjsTrainingConfig } from './tfjs-training-config.js';
export { compileArgsFromKeras, type Translation } from './training-config.js';
export { type KerasWeight, kerasWeightKeys, kerasWeights, matchesKerasName } from './weights.js';
