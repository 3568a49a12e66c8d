/** Keras 3 `.keras` files: a zip of config.json, metadata.json and model.weights.h5. */
export { modelFromKerasFile } from './read.js';
export { modelToKerasFile } from './write.js';
export { isKerasFile } from './zip.js';
