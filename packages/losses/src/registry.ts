/**
 * The one list of losses: the table below. A loss is written as a Keras name ('categoricalCrossentropy',
 * 'mse', 'categorical_crossentropy') or as `{ className, config }`, config optional. Adding a loss adds
 * its file, one table line and its names in LOSS_NAMES.
 */
import { BrickError, entry, registry } from '@brickml/core';
import { z } from 'zod';
import { BinaryCrossentropy, BinaryCrossentropyConfig } from './binary-crossentropy.js';
import { CategoricalCrossentropy, CategoricalCrossentropyConfig } from './categorical-crossentropy.js';
import { CategoricalHinge, CategoricalHingeConfig } from './categorical-hinge.js';
import { CosineSimilarity, CosineSimilarityConfig } from './cosine-similarity.js';
import { Hinge, HingeConfig } from './hinge.js';
import { Huber, HuberConfig } from './huber.js';
import { KLDivergence, KLDivergenceConfig } from './kl-divergence.js';
import { LogCosh, LogCoshConfig } from './log-cosh.js';
import type { Loss } from './loss.js';
import { MeanAbsoluteError, MeanAbsoluteErrorConfig } from './mean-absolute-error.js';
import { MeanSquaredError, MeanSquaredErrorConfig } from './mean-squared-error.js';
import { Poisson, PoissonConfig } from './poisson.js';
import {
  SparseCategoricalCrossentropy,
  SparseCategoricalCrossentropyConfig,
} from './sparse-categorical-crossentropy.js';
import { SquaredHinge, SquaredHingeConfig } from './squared-hinge.js';

const LOSSES = registry(
  'lossFromSpec',
  {
    MeanSquaredError: entry(MeanSquaredErrorConfig, (c) => new MeanSquaredError(c)),
    MeanAbsoluteError: entry(MeanAbsoluteErrorConfig, (c) => new MeanAbsoluteError(c)),
    BinaryCrossentropy: entry(BinaryCrossentropyConfig, (c) => new BinaryCrossentropy(c)),
    CategoricalCrossentropy: entry(CategoricalCrossentropyConfig, (c) => new CategoricalCrossentropy(c)),
    SparseCategoricalCrossentropy: entry(
      SparseCategoricalCrossentropyConfig,
      (c) => new SparseCategoricalCrossentropy(c),
    ),
    Hinge: entry(HingeConfig, (c) => new Hinge(c)),
    Huber: entry(HuberConfig, (c) => new Huber(c)),
    KLDivergence: entry(KLDivergenceConfig, (c) => new KLDivergence(c)),
    Poisson: entry(PoissonConfig, (c) => new Poisson(c)),
    LogCosh: entry(LogCoshConfig, (c) => new LogCosh(c)),
    CategoricalHinge: entry(CategoricalHingeConfig, (c) => new CategoricalHinge(c)),
    SquaredHinge: entry(SquaredHingeConfig, (c) => new SquaredHinge(c)),
    CosineSimilarity: entry(CosineSimilarityConfig, (c) => new CosineSimilarity(c)),
  },
  'prefault',
);

/** `{ className, config }` for one of the built-in losses; config may be left out. */
export const LossSpecObjectSchema = LOSSES.spec;
export type LossClassName = z.output<typeof LossSpecObjectSchema>['className'];

/** Keras camelCase and snake_case function names and aliases; the class names are added below. */
const ALIASES = {
  meanSquaredError: 'MeanSquaredError',
  mean_squared_error: 'MeanSquaredError',
  mse: 'MeanSquaredError',
  MSE: 'MeanSquaredError',
  meanAbsoluteError: 'MeanAbsoluteError',
  mean_absolute_error: 'MeanAbsoluteError',
  mae: 'MeanAbsoluteError',
  MAE: 'MeanAbsoluteError',
  binaryCrossentropy: 'BinaryCrossentropy',
  binary_crossentropy: 'BinaryCrossentropy',
  categoricalCrossentropy: 'CategoricalCrossentropy',
  categorical_crossentropy: 'CategoricalCrossentropy',
  sparseCategoricalCrossentropy: 'SparseCategoricalCrossentropy',
  sparse_categorical_crossentropy: 'SparseCategoricalCrossentropy',
  hinge: 'Hinge',
  huber: 'Huber',
  huberLoss: 'Huber',
  huber_loss: 'Huber',
  klDivergence: 'KLDivergence',
  kl_divergence: 'KLDivergence',
  kld: 'KLDivergence',
  KLD: 'KLDivergence',
  kullbackLeiblerDivergence: 'KLDivergence',
  kullback_leibler_divergence: 'KLDivergence',
  poisson: 'Poisson',
  logCosh: 'LogCosh',
  log_cosh: 'LogCosh',
  logcosh: 'LogCosh',
  categoricalHinge: 'CategoricalHinge',
  categorical_hinge: 'CategoricalHinge',
  squaredHinge: 'SquaredHinge',
  squared_hinge: 'SquaredHinge',
  cosineSimilarity: 'CosineSimilarity',
  cosine_similarity: 'CosineSimilarity',
} as const satisfies Record<string, LossClassName>;

/**
 * Every name a loss may be given by, as a literal union, so a misspelt name ('meanSquaredErorr') fails to
 * compile. The table is closed: a loss of your own goes to `compile` as an object that implements `Loss`. A
 * name that comes from outside the program (JSON, a command line) is checked at run time by
 * `LossSpec.parse`, whose result is typed.
 */
export type LossName = keyof typeof ALIASES | LossClassName;

/** Every name a loss may be given by: Keras camelCase and snake_case function names, aliases, class names. */
export const LOSS_NAMES: Readonly<Record<LossName, LossClassName>> = {
  ...ALIASES,
  ...(Object.fromEntries(LOSSES.names.map((n) => [n, n])) as Record<LossClassName, LossClassName>),
};

const names = Object.keys(LOSS_NAMES) as [LossName, ...LossName[]];

/** A loss as written in `compile` or a training spec: a name or `{ className, config }`, both typed precisely. */
export const LossSpec = z.union([z.enum(names), LossSpecObjectSchema]);
export type LossSpec = z.input<typeof LossSpec>;

function isLoss(spec: unknown): spec is Loss {
  const s = spec as Partial<Loss> | null;
  return typeof s === 'object' && s !== null && typeof s.value === 'function' && typeof s.grad === 'function';
}

/**
 * Builds a loss from its name or `{ className, config }` (validating the config), or returns a Loss
 * object as it is.
 *
 * @example
 * lossFromSpec('categoricalCrossentropy');
 * lossFromSpec({ className: 'Huber', config: { delta: 2 } });
 */
export function lossFromSpec(spec: LossSpec | Loss): Loss {
  if (isLoss(spec)) return spec;
  if (typeof spec === 'string') {
    if (!Object.hasOwn(LOSS_NAMES, spec)) {
      throw new BrickError(
        `lossFromSpec: unknown loss ${JSON.stringify(spec)}, expected one of ${names.join(', ')}`,
        'lossFromSpec',
      );
    }
    return LOSSES.create({ className: LOSS_NAMES[spec] });
  }
  return LOSSES.create(spec);
}
