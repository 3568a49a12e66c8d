/** tfjs-layers' model.json format: artifacts as tf.io handlers give and take them. */
export { isTfjsLayersArtifacts, modelFromTfjsArtifacts } from './load.js';
export { modelToTfjsArtifacts } from './save.js';
