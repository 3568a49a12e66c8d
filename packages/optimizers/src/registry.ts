/**
 * The one list of optimizers: the table below. A spec is a Keras name ('adam', the class name
 * lowercased) or `{ className, config }`, config optional, its learningRate a number or a schedule
 * spec. Adding an optimizer adds its file and one table line.
 */
import { BrickError, entry, registry } from '@brickml/core';
import { z } from 'zod';
import { Adadelta, AdadeltaConfig } from './adadelta.js';
import { Adagrad, AdagradConfig } from './adagrad.js';
import { Adam, AdamConfig } from './adam.js';
import { Adamax, AdamaxConfig } from './adamax.js';
import { AdamW, AdamWConfig } from './adamw.js';
import { Lion, LionConfig } from './lion.js';
import { Nadam, NadamConfig } from './nadam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop, RMSpropConfig } from './rmsprop.js';
import { SGD, SGDConfig } from './sgd.js';

const OPTIMIZERS = registry(
  'optimizerFromSpec',
  {
    SGD: entry(SGDConfig, (c) => new SGD(c)),
    RMSprop: entry(RMSpropConfig, (c) => new RMSprop(c)),
    Adam: entry(AdamConfig, (c) => new Adam(c)),
    AdamW: entry(AdamWConfig, (c) => new AdamW(c)),
    Adagrad: entry(AdagradConfig, (c) => new Adagrad(c)),
    Adadelta: entry(AdadeltaConfig, (c) => new Adadelta(c)),
    Adamax: entry(AdamaxConfig, (c) => new Adamax(c)),
    Nadam: entry(NadamConfig, (c) => new Nadam(c)),
    Lion: entry(LionConfig, (c) => new Lion(c)),
  },
  'optional',
);

export const OptimizerSpecObject = OPTIMIZERS.spec;
export type OptimizerClassName = z.input<typeof OptimizerSpecObject>['className'];

const lower = <N extends string>(name: N) => name.toLowerCase() as Lowercase<N>;

/** Keras' names: the class names lowercased ('sgd', 'rmsprop', 'adam', 'adamw', 'adagrad', 'nadam', ...). */
export const OptimizerName = z.enum(OPTIMIZERS.names.map(lower) as [Lowercase<OptimizerClassName>]);

/** `'adam'` or `{ className: 'Adam', config: { learningRate: 0.01 } }`. */
export const OptimizerSpec = z.union([OptimizerName, OptimizerSpecObject]);
export type OptimizerSpec = z.input<typeof OptimizerSpec>;

const BY_NAME = new Map(OPTIMIZERS.names.map((n) => [lower(n) as string, n]));

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
  if (typeof spec === 'string') {
    const className = BY_NAME.get(spec.toLowerCase());
    if (className === undefined) {
      const known = [...BY_NAME.keys(), ...OPTIMIZERS.names].join(', ');
      throw new BrickError(`${who}: unknown optimizer ${JSON.stringify(spec)}, expected one of ${known}`, who);
    }
    return OPTIMIZERS.create({ className });
  }
  if (spec === null || typeof spec !== 'object') {
    throw new BrickError(
      `${who}: expected an optimizer name or { className, config }, received ${JSON.stringify(spec)}`,
      who,
    );
  }
  return OPTIMIZERS.create(spec);
}
