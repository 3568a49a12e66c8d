export * from './callbacks/index.js';
export type { DataLike } from './data.js';
export {
  loadModel,
  type ModelArtifacts,
  ModelJson,
  modelFromArtifacts,
  modelToArtifacts,
  saveModel,
  WeightEntry,
  WeightsGroup,
} from './io.js';
export * from './metrics/index.js';
export type { EvaluateOptions, FitOptions } from './options.js';
export { type CompileArgs, Sequential, type SequentialArgs } from './sequential.js';
export { SequentialSpec } from './spec.js';
export type { Callback, Logs, Metric, TrainingModel, TrainParams } from './types.js';
