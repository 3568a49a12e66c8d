/**
 * The one list of optimizers. A spec is a Keras name ('adam') or `{ className, config }`, the config's
 * learningRate a number or a schedule spec. Adding an optimizer adds one union entry and one factory.
 */
import { BrickError } from '@brickml/core';
import { z } from 'zod';
import { Adam, AdamConfig } from './adam.js';
import { AdamW, AdamWConfig } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop, RMSpropConfig } from './rmsprop.js';
import { SGD, SGDConfig } from './sgd.js';

const entry = <N extends string, C extends z.ZodType>(className: N, config: C) =>
  z.strictObject({ className: z.literal(className), config: config.optional() });

export const OptimizerName = z.enum(['sgd', 'rmsprop', 'adam', 'adamw']);

export const OptimizerSpecObject = z.discriminatedUnion('className', [
  entry('SGD', SGDConfig),
  entry('RMSprop', RMSpropConfig),
  entry('Adam', AdamConfig),
  entry('AdamW', AdamWConfig),
]);

/** `'adam'` or `{ className: 'Adam', config: { learningRate: 0.01 } }`. */
export const OptimizerSpec = z.union([OptimizerName, OptimizerSpecObject]);
export type OptimizerSpec = z.input<typeof OptimizerSpec>;
export type OptimizerClassName = z.input<typeof OptimizerSpecObject>['className'];

type ConfigOf<N extends OptimizerClassName> = Extract<z.input<typeof OptimizerSpecObject>, { className: N }>['config'];

const FACTORIES: { [N in OptimizerClassName]: (config: ConfigOf<N>) => Optimizer } = {
  SGD: (c) => new SGD(c),
  RMSprop: (c) => new RMSprop(c),
  Adam: (c) => new Adam(c),
  AdamW: (c) => new AdamW(c),
};

const BY_NAME: Record<z.output<typeof OptimizerName>, OptimizerClassName> = {
  sgd: 'SGD',
  rmsprop: 'RMSprop',
  adam: 'Adam',
  adamw: 'AdamW',
};

function isOptimizer(x: unknown): x is Optimizer {
  return typeof (x as Optimizer | null)?.apply === 'function' && typeof (x as Optimizer).getState === 'function';
}

/**
 * Builds an optimizer from a Keras name or `{ className, config }` (validating the config), or returns
 * an Optimizer as is. Names are matched like Keras' `optimizers.get`: 'adam' and 'Adam' both work.
 *
 * @example
 * const adam = optimizerFromSpec({ className: 'Adam', config: { learningRate: 0.01 } });
 */
export function optimizerFromSpec(spec: OptimizerSpec | Optimizer): Optimizer {
  if (isOptimizer(spec)) return spec;
  const who = 'optimizerFromSpec';
  const known = [...Object.keys(BY_NAME), ...Object.keys(FACTORIES)].join(', ');
  if (typeof spec === 'string') {
    const className = BY_NAME[spec.toLowerCase() as keyof typeof BY_NAME];
    if (!className)
      throw new BrickError(`${who}: unknown optimizer ${JSON.stringify(spec)}, expected one of ${known}`, who);
    return FACTORIES[className]({});
  }
  if (spec === null || typeof spec !== 'object') {
    throw new BrickError(
      `${who}: expected an optimizer name or { className, config }, received ${JSON.stringify(spec)}`,
      who,
    );
  }
  const { className, config, ...rest } = spec as { className?: unknown; config?: unknown };
  if (typeof className !== 'string' || !Object.hasOwn(FACTORIES, className)) {
    throw new BrickError(`${who}: unknown className ${JSON.stringify(className)}, expected one of ${known}`, who);
  }
  const extra = Object.keys(rest);
  if (extra.length) throw new BrickError(`${who}: unknown field(s) ${extra.map((k) => `'${k}'`).join(', ')}`, who);
  const make = FACTORIES[className as OptimizerClassName] as (config: unknown) => Optimizer;
  return make(config ?? {});
}
