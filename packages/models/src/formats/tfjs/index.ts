/** tfjs-layers' model.json format: artifacts as tf.io handlers give and take them, and model.json files. */
export { isTfjsLayersArtifacts, modelFromTfjsArtifacts } from './load.js';
export { modelJsonFromTfjsArtifacts, tfjsArtifactsFromModelJson } from './model-json.js';
export { modelToTfjsArtifacts } from './save.js';
