/**
 * brickml's models: Sequential and the functional Model, compile, fit, evaluate and predict, metrics,
 * callbacks, specs, and saving and loading (brickml, tfjs and Keras formats).
 *
 * @module \@brickml/models
 */
export * from './callbacks/index.js';
export type { DataLike } from './data.js';
export { type Dataset, type DatasetBatch, type DatasetLike, FitDatasetOptions } from './dataset.js';
export type { CompileArgs } from './engine/compile.js';
export type { Executor, OutputGradient, Tape } from './engine/executor.js';
export { modelToKerasFile } from './formats/keras/index.js';
export { type KerasFlavor, kerasConfigFromSpec, specFromKerasConfig } from './formats/keras-config/index.js';
export type { SaveOptions } from './io/artifacts.js';
export { type FileSystem, fileSystem, setFileSystem } from './io/file-system.js';
export { writeFileAtomic } from './io/folder-handler.js';
export { loadModel, modelFromArtifacts, modelToArtifacts, SAVE_FORMATS, saveModel } from './io/save-load.js';
export * from './metrics/index.js';
export { Model, type ModelArgs } from './model.js';
export type { ModelData } from './model-data.js';
export { functionalFromSpec, modelFromSpec } from './model-from-spec.js';
export type { EvaluateOptions, FitOptions } from './options.js';
export { modelToSVG, type PlotModel } from './plot.js';
export { Sequential, type SequentialArgs } from './sequential.js';
export { FunctionalSpec, GraphLayerSpec, InputSpec, ModelSpec, SequentialSpec, TensorRef } from './spec.js';
export type {
  Callback,
  CallbackState,
  Logs,
  Metric,
  TrainingModel,
  TrainingProgress,
  TrainingState,
  TrainParams,
} from './types.js';
