export * from './callbacks/index.js';
export type { DataLike } from './data.js';
export { type Dataset, type DatasetBatch, type DatasetLike, FitDatasetOptions } from './dataset.js';
export type { CompileArgs } from './engine/compile.js';
export type { Executor, OutputGradient, Tape } from './engine/executor.js';
export {
  loadModel,
  type ModelArtifacts,
  ModelJson,
  modelFromArtifacts,
  modelToArtifacts,
  saveModel,
  WeightEntry,
  WeightsGroup,
} from './io/files.js';
export * from './metrics/index.js';
export { Model, type ModelArgs } from './model.js';
export { functionalFromSpec, modelFromSpec } from './model-from-spec.js';
export type { EvaluateOptions, FitOptions } from './options.js';
export { modelToSVG, type PlotModel } from './plot.js';
export { Sequential, type SequentialArgs } from './sequential.js';
export { FunctionalSpec, GraphLayerSpec, InputSpec, ModelSpec, SequentialSpec, TensorRef } from './spec.js';
export type { ModelData } from './training.js';
export type { Callback, Logs, Metric, TrainingModel, TrainParams } from './types.js';
