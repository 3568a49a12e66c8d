export { Adam, AdamBase, AdamConfig, adamFields } from './adam.js';
export { AdamW, AdamWConfig } from './adamw.js';
export { BaseOptimizer, type BaseOptimizerConfig, LearningRate, optimizerFields, type StepContext } from './base.js';
export { type ClipOptions, clipGradients } from './clipping.js';
export type { Optimizer, OptimizerState, Schedule } from './optimizer.js';
export {
  type OptimizerClassName,
  OptimizerName,
  OptimizerSpec,
  OptimizerSpecObject,
  optimizerFromSpec,
} from './registry.js';
export { RMSprop, RMSpropConfig } from './rmsprop.js';
export {
  CosineDecay,
  CosineDecayConfig,
  ExponentialDecay,
  ExponentialDecayConfig,
  isSchedule,
  PiecewiseConstantDecay,
  PiecewiseConstantDecayConfig,
  type ScheduleClassName,
  ScheduleSpec,
  scheduleFromSpec,
} from './schedules.js';
export { SGD, SGDConfig } from './sgd.js';
