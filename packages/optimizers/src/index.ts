/**
 * brickml's optimizers (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion), learning-rate
 * schedules and gradient clipping.
 *
 * @module \@brickml/optimizers
 */
export { Adadelta, AdadeltaConfig } from './adadelta.js';
export { Adagrad, AdagradConfig } from './adagrad.js';
export { Adam, AdamBase, AdamConfig, type AdamFields, adamFields } from './adam.js';
export { Adamax, AdamaxConfig } from './adamax.js';
export { AdamW, AdamWConfig } from './adamw.js';
export {
  BaseOptimizer,
  type BaseOptimizerConfig,
  LearningRate,
  type OptimizerFields,
  optimizerFields,
  type StepContext,
} from './base.js';
export { type ClipOptions, clipGradients } from './clipping.js';
export { inInterval, type UnitInterval } from './interval.js';
export { Lion, LionConfig } from './lion.js';
export { Nadam, NadamConfig } from './nadam.js';
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
