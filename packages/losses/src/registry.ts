/**
 * The one list of losses. A loss is written as a Keras name ('categoricalCrossentropy', 'mse',
 * 'categorical_crossentropy') or as `{ className, config }`. Adding a loss adds one union entry, its
 * names and one case below; the exhaustive switch makes a missing case a compile error.
 */
import { BrickError, parseConfig } from '@brickml/core';
import { z } from 'zod';
import { BinaryCrossentropy, BinaryCrossentropyConfig } from './binary-crossentropy.js';
import { CategoricalCrossentropy, CategoricalCrossentropyConfig } from './categorical-crossentropy.js';
import { Hinge, HingeConfig } from './hinge.js';
import { Huber, HuberConfig } from './huber.js';
import type { Loss, LossSpecObject } from './loss.js';
import { MeanAbsoluteError, MeanAbsoluteErrorConfig } from './mean-absolute-error.js';
import { MeanSquaredError, MeanSquaredErrorConfig } from './mean-squared-error.js';
import {
  SparseCategoricalCrossentropy,
  SparseCategoricalCrossentropyConfig,
} from './sparse-categorical-crossentropy.js';

const entry = <N extends string, C extends z.ZodType>(className: N, config: C) =>
  z.strictObject({ className: z.literal(className), config: config.prefault({} as z.input<C>) });

/** `{ className, config }` for one of the built-in losses; config may be left out. */
export const LossSpecObjectSchema = z.discriminatedUnion('className', [
  entry('MeanSquaredError', MeanSquaredErrorConfig),
  entry('MeanAbsoluteError', MeanAbsoluteErrorConfig),
  entry('BinaryCrossentropy', BinaryCrossentropyConfig),
  entry('CategoricalCrossentropy', CategoricalCrossentropyConfig),
  entry('SparseCategoricalCrossentropy', SparseCategoricalCrossentropyConfig),
  entry('Hinge', HingeConfig),
  entry('Huber', HuberConfig),
]);
export type LossClassName = z.output<typeof LossSpecObjectSchema>['className'];

/** Every name a loss may be given by: Keras camelCase and snake_case function names, aliases, class names. */
export const LOSS_NAMES: Readonly<Record<string, LossClassName>> = {
  meanSquaredError: 'MeanSquaredError',
  mean_squared_error: 'MeanSquaredError',
  mse: 'MeanSquaredError',
  MSE: 'MeanSquaredError',
  MeanSquaredError: 'MeanSquaredError',
  meanAbsoluteError: 'MeanAbsoluteError',
  mean_absolute_error: 'MeanAbsoluteError',
  mae: 'MeanAbsoluteError',
  MAE: 'MeanAbsoluteError',
  MeanAbsoluteError: 'MeanAbsoluteError',
  binaryCrossentropy: 'BinaryCrossentropy',
  binary_crossentropy: 'BinaryCrossentropy',
  BinaryCrossentropy: 'BinaryCrossentropy',
  categoricalCrossentropy: 'CategoricalCrossentropy',
  categorical_crossentropy: 'CategoricalCrossentropy',
  CategoricalCrossentropy: 'CategoricalCrossentropy',
  sparseCategoricalCrossentropy: 'SparseCategoricalCrossentropy',
  sparse_categorical_crossentropy: 'SparseCategoricalCrossentropy',
  SparseCategoricalCrossentropy: 'SparseCategoricalCrossentropy',
  hinge: 'Hinge',
  Hinge: 'Hinge',
  huber: 'Huber',
  huberLoss: 'Huber',
  huber_loss: 'Huber',
  Huber: 'Huber',
};

const names = Object.keys(LOSS_NAMES) as [string, ...string[]];

/** A loss as written in `compile` or a training spec: a name or `{ className, config }`. */
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
export function lossFromSpec(spec: string | LossSpecObject | Loss): Loss {
  if (isLoss(spec)) return spec;
  if (typeof spec === 'string') {
    if (!Object.hasOwn(LOSS_NAMES, spec)) {
      throw new BrickError(
        `lossFromSpec: unknown loss ${JSON.stringify(spec)}, expected one of ${names.join(', ')}`,
        'lossFromSpec',
      );
    }
    return build({ className: LOSS_NAMES[spec] as LossClassName, config: {} });
  }
  const className = (spec as { className?: unknown } | null)?.className;
  const classNames = LossSpecObjectSchema.options.map((o) => o.shape.className.value);
  if (typeof className !== 'string' || !(classNames as string[]).includes(className)) {
    throw new BrickError(
      `lossFromSpec: unknown className ${JSON.stringify(className)}, expected one of ${classNames.join(', ')}`,
      'lossFromSpec',
    );
  }
  return build(parseConfig(className, LossSpecObjectSchema, spec));
}

function build(spec: z.input<typeof LossSpecObjectSchema>): Loss {
  switch (spec.className) {
    case 'MeanSquaredError':
      return new MeanSquaredError(spec.config);
    case 'MeanAbsoluteError':
      return new MeanAbsoluteError(spec.config);
    case 'BinaryCrossentropy':
      return new BinaryCrossentropy(spec.config);
    case 'CategoricalCrossentropy':
      return new CategoricalCrossentropy(spec.config);
    case 'SparseCategoricalCrossentropy':
      return new SparseCategoricalCrossentropy(spec.config);
    case 'Hinge':
      return new Hinge(spec.config);
    case 'Huber':
      return new Huber(spec.config);
    default:
      return unreachable(spec);
  }
}

function unreachable(spec: never): never {
  throw new BrickError(`lossFromSpec: no factory for ${JSON.stringify(spec)}`, 'lossFromSpec');
}
