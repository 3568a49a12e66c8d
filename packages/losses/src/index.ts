export { BaseLoss, EPSILON } from './base.js';
export { BinaryCrossentropy, BinaryCrossentropyConfig } from './binary-crossentropy.js';
export { CategoricalCrossentropy, CategoricalCrossentropyConfig } from './categorical-crossentropy.js';
export { Hinge, HingeConfig } from './hinge.js';
export { Huber, HuberConfig } from './huber.js';
export type { Loss, LossSpecObject } from './loss.js';
export { MeanAbsoluteError, MeanAbsoluteErrorConfig } from './mean-absolute-error.js';
export { MeanSquaredError, MeanSquaredErrorConfig } from './mean-squared-error.js';
export {
  LOSS_NAMES,
  type LossClassName,
  LossSpec,
  LossSpecObjectSchema,
  lossFromSpec,
} from './registry.js';
export {
  SparseCategoricalCrossentropy,
  SparseCategoricalCrossentropyConfig,
} from './sparse-categorical-crossentropy.js';
export { checkTargets, type TargetKind, validateTargets } from './targets.js';
