export * from './callbacks/index.js';
export type { DataLike } from './data.js';
export { type Dataset, type DatasetBatch, type DatasetLike, FitDatasetOptions } from './dataset.js';
export type { CompileArgs } from './engine/compile.js';
export type { Executor, OutputGradient, Tape } from './engine/executor.js';
export { isKerasFile, modelFromKerasFile, modelToKerasFile } from './formats/keras/index.js';
export {
  assignKerasNamedWeights,
  compileArgsFromKerasTraining,
  type FileWeight,
  type KerasFlavor,
  type KerasWeight,
  kerasConfigFromSpec,
  kerasTrainingConfig,
  kerasWeightKeys,
  kerasWeights,
  modelFromKerasConfig,
  specFromKerasConfig,
} from './formats/keras-config/index.js';
export {
  isTfjsLayersArtifacts,
  modelFromTfjsArtifacts,
  modelJsonFromTfjsArtifacts,
  modelToTfjsArtifacts,
  tfjsArtifactsFromModelJson,
} from './formats/tfjs/index.js';
export { BRICKML_FORMAT, modelToArtifacts, type SaveOptions } from './io/artifacts.js';
export { type FileSystem, setFileSystem } from './io/file-system.js';
export { loadModel, modelFromArtifacts, saveModel } from './io/save-load.js';
export { TrainingConfig } from './io/training-config.js';
export { assignNamedWeights, namedWeights, type WeightSlot } from './io/weights.js';
export * from './metrics/index.js';
export { Model, type ModelArgs } from './model.js';
export { functionalFromSpec, modelFromSpec } from './model-from-spec.js';
export type { EvaluateOptions, FitOptions } from './options.js';
export { modelToSVG, type PlotModel } from './plot.js';
export { Sequential, type SequentialArgs } from './sequential.js';
export { FunctionalSpec, GraphLayerSpec, InputSpec, ModelSpec, SequentialSpec, TensorRef } from './spec.js';
export type { ModelData } from './training.js';
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
