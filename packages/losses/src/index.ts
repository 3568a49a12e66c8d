/**
 * brickml's losses: each loss's value and its gradient with respect to the predictions, and the loss registry.
 *
 * @module \@brickml/losses
 */
export { BaseLoss, EPSILON, sampleWeightShape } from './base.js';
export { BinaryCrossentropy, BinaryCrossentropyConfig } from './binary-crossentropy.js';
export { CategoricalCrossentropy, CategoricalCrossentropyConfig } from './categorical-crossentropy.js';
export { CategoricalHinge, CategoricalHingeConfig } from './categorical-hinge.js';
export { CosineSimilarity, CosineSimilarityConfig } from './cosine-similarity.js';
export { Hinge, HingeConfig } from './hinge.js';
export { Huber, HuberConfig } from './huber.js';
export { KLDivergence, KLDivergenceConfig } from './kl-divergence.js';
export { LogCosh, LogCoshConfig } from './log-cosh.js';
export type { Loss, LossSpecObject } from './loss.js';
export { MeanAbsoluteError, MeanAbsoluteErrorConfig } from './mean-absolute-error.js';
export { MeanSquaredError, MeanSquaredErrorConfig } from './mean-squared-error.js';
export { Poisson, PoissonConfig } from './poisson.js';
export {
  LOSS_NAMES,
  type LossClassName,
  type LossName,
  LossSpec,
  LossSpecObjectSchema,
  lossFromSpec,
} from './registry.js';
export {
  SparseCategoricalCrossentropy,
  SparseCategoricalCrossentropyConfig,
} from './sparse-categorical-crossentropy.js';
export { SquaredHinge, SquaredHingeConfig } from './squared-hinge.js';
export { checkSparseLabels, checkTargets, type TargetKind, validateLabels, validateTargets } from './targets.js';
