import { BrickError } from '@brickml/core';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { AdamW } from './adamw.js';
import { Lion } from './lion.js';
import { Nadam } from './nadam.js';
import {
  type OptimizerClassName,
  type OptimizerName,
  type OptimizerSpec,
  OptimizerSpecObject,
  optimizerFromSpec,
} from './registry.js';
import { RMSprop } from './rmsprop.js';
import { SGD, type SGDConfig } from './sgd.js';

describe('optimizerFromSpec', () => {
  test('builds each optimizer from its Keras name with Keras defaults', () => {
    const cases = [
      ['sgd', SGD, 0.01],
      ['rmsprop', RMSprop, 0.001],
      ['adam', Adam, 0.001],
      ['adamw', AdamW, 0.001],
      ['adagrad', Adagrad, 0.001],
      ['adadelta', Adadelta, 0.001],
      ['adamax', Adamax, 0.001],
      ['nadam', Nadam, 0.001],
      ['lion', Lion, 0.001],
    ] as const;
    for (const [name, cls, lr] of cases) {
      const opt = optimizerFromSpec(name);
      expect(opt).toBeInstanceOf(cls);
      expect(opt.currentLearningRate()).toBe(lr);
    }
    expect(optimizerFromSpec('Adam' as never)).toBeInstanceOf(Adam);
  });

  test('round-trips specs through JSON, schedules included', () => {
    const specs = [
      new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true, clipNorm: 1 }).toSpec(),
      new RMSprop({ centered: true, globalClipNorm: 5 }).toSpec(),
      new AdamW({ weightDecay: 0.01, amsgrad: true }).toSpec(),
      new Adagrad({ initialAccumulatorValue: 0.2, epsilon: 1e-5 }).toSpec(),
      new Adadelta({ learningRate: 0.5, rho: 0.9, epsilon: 1e-5 }).toSpec(),
      new Adamax({ learningRate: 0.5, beta1: 0.8, beta2: 0.95, epsilon: 1e-5, clipValue: 1 }).toSpec(),
      new Nadam({ learningRate: 0.5, beta1: 0.5, beta2: 0.67, epsilon: 1e-5 }).toSpec(),
      new Lion({ learningRate: 0.5, beta1: 0.5, beta2: 0.67, weightDecay: 0.004 }).toSpec(),
      {
        className: 'Adam',
        config: { learningRate: { className: 'CosineDecay', config: { initialLearningRate: 0.01, decaySteps: 100 } } },
      },
    ];
    for (const spec of specs) {
      const first = optimizerFromSpec(JSON.parse(JSON.stringify(spec))).toSpec();
      expect(optimizerFromSpec(JSON.parse(JSON.stringify(first))).toSpec()).toEqual(first);
    }
    const scheduled = optimizerFromSpec(specs.at(-1) as never);
    expect(scheduled.toSpec().config.learningRate).toEqual({
      className: 'CosineDecay',
      config: { initialLearningRate: 0.01, decaySteps: 100, alpha: 0, warmupSteps: 0 },
    });
    expect(scheduled.currentLearningRate()).toBe(0.01);
  });

  test('returns an optimizer instance as is', () => {
    const adam = new Adam();
    expect(optimizerFromSpec(adam)).toBe(adam);
  });

  test('refuses an unknown name, listing the known ones', () => {
    expect(() => optimizerFromSpec('ftrl' as never)).toThrowError(BrickError);
    expect(() => optimizerFromSpec('ftrl' as never)).toThrow(
      'optimizerFromSpec: unknown optimizer "ftrl", expected one of sgd, rmsprop, adam, adamw, adagrad, adadelta, adamax, nadam, lion, SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion',
    );
    expect(() => optimizerFromSpec({ className: 'Ftrl', config: {} } as never)).toThrow('unknown className "Ftrl"');
  });

  test('names the optimizer and the field of a bad config', () => {
    expect(() => optimizerFromSpec({ className: 'Adam', config: { beta1: 1.5 } })).toThrow(
      'Adam: beta1 must be in [0, 1), received 1.5',
    );
    expect(() => optimizerFromSpec({ className: 'SGD', config: { learningRate: -1 } })).toThrow(
      'SGD: learningRate must be non-negative, received -1',
    );
    const decay = {
      className: 'ExponentialDecay',
      config: { initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 },
    };
    expect(() => optimizerFromSpec({ className: 'SGD', config: { learningRate: decay } } as never)).toThrow(
      'SGD: learningRate.config.decaySteps must be positive, received 0',
    );
    expect(() => optimizerFromSpec({ className: 'SGD', config: { learningRate: 'fast' } } as never)).toThrow(
      'SGD: learningRate must be a non-negative number or a schedule spec ({ className, config }), received "fast"',
    );
    expect(() => optimizerFromSpec({ className: 'SGD', config: { lr: 0.1 } } as never)).toThrow(
      "SGD: unknown field(s) 'lr'",
    );
  });

  test('derives the spec types and the Keras names from the table', () => {
    expectTypeOf<OptimizerClassName>().toEqualTypeOf<
      'SGD' | 'RMSprop' | 'Adam' | 'AdamW' | 'Adagrad' | 'Adadelta' | 'Adamax' | 'Nadam' | 'Lion'
    >();
    expectTypeOf<z.input<typeof OptimizerName>>().toEqualTypeOf<
      'sgd' | 'rmsprop' | 'adam' | 'adamw' | 'adagrad' | 'adadelta' | 'adamax' | 'nadam' | 'lion'
    >();
    expectTypeOf<Extract<OptimizerSpec, { className: 'SGD' }>['config']>().toEqualTypeOf<SGDConfig | undefined>();
    expect(OptimizerSpecObject.parse({ className: 'Adam' })).toEqual({ className: 'Adam' });
    expect(OptimizerSpecObject.safeParse({ className: 'Adam', config: { beta1: 2 } }).success).toBe(false);
  });
});
