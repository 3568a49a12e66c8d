/**
 * Every optimizer's and schedule's argument checks, one test per family: what Keras 3 refuses (SGD's
 * momentum, Lion's beta1, decaySteps, PiecewiseConstantDecay's lengths) and the ranges outside which
 * an update means nothing (a decay rate of 1 or more, a zero epsilon). Each refusal happens in the
 * spec schema, before anything is built, and names the class, the field and the value.
 */
import { BrickError } from '@brickml/core';
import { describe, expect, test } from 'vitest';
import { OptimizerSpecObject, optimizerFromSpec } from './registry.js';
import { ScheduleSpec, scheduleFromSpec } from './schedules.js';

type Case = [className: string, config: Record<string, unknown>, message: string];

function messageOf(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(BrickError);
    return (e as Error).message;
  }
  throw new Error('expected an error, none was thrown');
}

function expectOptimizersRefuse(cases: Case[]) {
  for (const [className, config, message] of cases) {
    const spec = { className, config };
    expect(OptimizerSpecObject.safeParse(spec).success, message).toBe(false);
    expect(messageOf(() => optimizerFromSpec(spec as never))).toBe(message);
  }
}

function expectOptimizersAccept(cases: [className: string, config: Record<string, unknown>][]) {
  for (const [className, config] of cases) {
    const opt = optimizerFromSpec({ className, config } as never);
    expect(opt.config).toMatchObject(config);
    opt.dispose();
  }
}

function expectSchedulesRefuse(cases: Case[]) {
  for (const [className, config, message] of cases) {
    const spec = { className, config };
    expect(ScheduleSpec.safeParse(spec).success, message).toBe(false);
    // A schedule inside an optimizer spec is refused by the optimizer's schema too.
    expect(OptimizerSpecObject.safeParse({ className: 'SGD', config: { learningRate: spec } }).success).toBe(false);
    expect(messageOf(() => scheduleFromSpec(spec as never))).toBe(message);
  }
}

const WITH_EPSILON = ['RMSprop', 'Adam', 'AdamW', 'Adagrad', 'Adadelta', 'Adamax', 'Nadam'];
const ALL = ['SGD', ...WITH_EPSILON, 'Lion'];

describe('optimizer arguments', () => {
  test('momentum must be in [0, 1]: SGD as Keras checks it, RMSprop likewise', () => {
    expectOptimizersRefuse([
      ['SGD', { momentum: 1.5 }, 'SGD: momentum must be in [0, 1], received 1.5'],
      ['SGD', { momentum: -0.1 }, 'SGD: momentum must be in [0, 1], received -0.1'],
      ['RMSprop', { momentum: 1.5 }, 'RMSprop: momentum must be in [0, 1], received 1.5'],
      ['RMSprop', { momentum: -1 }, 'RMSprop: momentum must be in [0, 1], received -1'],
    ]);
    expectOptimizersAccept([
      ['SGD', { momentum: 0 }],
      ['SGD', { momentum: 1 }],
      ['RMSprop', { momentum: 1 }],
    ]);
  });

  test('decay rates (beta1, beta2, rho) must be in [0, 1)', () => {
    expectOptimizersRefuse([
      ['Adam', { beta1: 1 }, 'Adam: beta1 must be in [0, 1), received 1'],
      ['AdamW', { beta2: 1.5 }, 'AdamW: beta2 must be in [0, 1), received 1.5'],
      ['RMSprop', { rho: 1 }, 'RMSprop: rho must be in [0, 1), received 1'],
      ['Adadelta', { rho: -0.1 }, 'Adadelta: rho must be in [0, 1), received -0.1'],
      ['Adadelta', { rho: 1 }, 'Adadelta: rho must be in [0, 1), received 1'],
      ['Adamax', { beta1: 1 }, 'Adamax: beta1 must be in [0, 1), received 1'],
      ['Adamax', { beta2: 2 }, 'Adamax: beta2 must be in [0, 1), received 2'],
      ['Nadam', { beta1: -0.5 }, 'Nadam: beta1 must be in [0, 1), received -0.5'],
      ['Nadam', { beta2: 1 }, 'Nadam: beta2 must be in [0, 1), received 1'],
    ]);
    expectOptimizersAccept([
      ['Adam', { beta1: 0 }],
      ['Adadelta', { rho: 0 }],
      ['Nadam', { beta1: 0, beta2: 0.5 }],
    ]);
  });

  test('Lion: beta1 must be in (0, 1] (Keras: 0 degenerates to SignSGD), beta2 in [0, 1]', () => {
    expectOptimizersRefuse([
      ['Lion', { beta1: 0 }, 'Lion: beta1 must be in (0, 1], received 0'],
      ['Lion', { beta1: -0.1 }, 'Lion: beta1 must be in (0, 1], received -0.1'],
      ['Lion', { beta1: 1.1 }, 'Lion: beta1 must be in (0, 1], received 1.1'],
      ['Lion', { beta2: -0.1 }, 'Lion: beta2 must be in [0, 1], received -0.1'],
      ['Lion', { beta2: 1.5 }, 'Lion: beta2 must be in [0, 1], received 1.5'],
    ]);
    expectOptimizersAccept([['Lion', { beta1: 1, beta2: 1 }]]);
  });

  test('epsilon must be positive wherever there is one; Lion has none', () => {
    expectOptimizersRefuse([
      ...WITH_EPSILON.map((n): Case => [n, { epsilon: 0 }, `${n}: epsilon must be positive, received 0`]),
      ['Lion', { epsilon: 1e-7 }, "Lion: unknown field(s) 'epsilon'"],
    ]);
  });

  test('Adagrad: initialAccumulatorValue must be non-negative (the accumulator sits under a root)', () => {
    expectOptimizersRefuse([
      [
        'Adagrad',
        { initialAccumulatorValue: -0.1 },
        'Adagrad: initialAccumulatorValue must be non-negative, received -0.1',
      ],
    ]);
    expectOptimizersAccept([['Adagrad', { initialAccumulatorValue: 0 }]]);
  });

  test('every optimizer refuses a negative learning rate or weight decay, a non-positive clip and two clips', () => {
    expectOptimizersRefuse(
      ALL.flatMap((n): Case[] => [
        [n, { learningRate: -1 }, `${n}: learningRate must be non-negative, received -1`],
        [n, { weightDecay: -0.1 }, `${n}: weightDecay must be non-negative, received -0.1`],
        [n, { clipNorm: 0 }, `${n}: clipNorm must be positive, received 0`],
        [n, { clipValue: -1 }, `${n}: clipValue must be positive, received -1`],
        [n, { globalClipNorm: 0 }, `${n}: globalClipNorm must be positive, received 0`],
      ]),
    );
    for (const n of ALL) {
      expect(messageOf(() => optimizerFromSpec({ className: n, config: { clipNorm: 1, clipValue: 1 } } as never))).toBe(
        `${n}: only one of clipNorm, clipValue and globalClipNorm can be set, received clipNorm=1, clipValue=1`,
      );
    }
    // Keras' AdamW refuses weight_decay=None.
    expectOptimizersRefuse([['AdamW', { weightDecay: null }, 'AdamW: weightDecay must be a number, received null']]);
  });
});

describe('schedule arguments', () => {
  test('decaySteps must be positive and decayRate positive, as Keras checks decay_steps > 0', () => {
    expectSchedulesRefuse([
      [
        'ExponentialDecay',
        { initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 },
        'ExponentialDecay: decaySteps must be positive, received 0',
      ],
      [
        'ExponentialDecay',
        { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0 },
        'ExponentialDecay: decayRate must be positive, received 0',
      ],
      [
        'CosineDecay',
        { initialLearningRate: 0.1, decaySteps: -1 },
        'CosineDecay: decaySteps must be positive, received -1',
      ],
      [
        'ExponentialDecay',
        { initialLearningRate: -0.1, decaySteps: 10, decayRate: 0.5 },
        'ExponentialDecay: initialLearningRate must be non-negative, received -0.1',
      ],
    ]);
  });

  test('CosineDecay: alpha must be in [0, 1] (a fraction of the decayed-from rate), warmupSteps a whole number', () => {
    expectSchedulesRefuse([
      [
        'CosineDecay',
        { initialLearningRate: 0.1, decaySteps: 10, alpha: 1.5 },
        'CosineDecay: alpha must be in [0, 1], received 1.5',
      ],
      [
        'CosineDecay',
        { initialLearningRate: 0.1, decaySteps: 10, alpha: -0.1 },
        'CosineDecay: alpha must be in [0, 1], received -0.1',
      ],
      [
        'CosineDecay',
        { initialLearningRate: 0.1, decaySteps: 10, warmupTarget: 1, warmupSteps: 2.5 },
        'CosineDecay: warmupSteps must be a non-negative integer, received 2.5',
      ],
    ]);
    expect(
      scheduleFromSpec({ className: 'CosineDecay', config: { initialLearningRate: 1, decaySteps: 10, alpha: 1 } }).at(
        5,
      ),
    ).toBe(1);
  });

  test('PiecewiseConstantDecay: one more value than boundaries (as Keras), boundaries increasing, in the schema', () => {
    expectSchedulesRefuse([
      [
        'PiecewiseConstantDecay',
        { boundaries: [10], values: [1] },
        'PiecewiseConstantDecay: values must have one more entry than boundaries (2 entries), received [1]',
      ],
      [
        'PiecewiseConstantDecay',
        { boundaries: [10, 20], values: [1, 0.5, 0.1, 0.01] },
        'PiecewiseConstantDecay: values must have one more entry than boundaries (3 entries), received [1,0.5,0.1,0.01]',
      ],
      [
        'PiecewiseConstantDecay',
        { boundaries: [5, 5], values: [1, 2, 3] },
        'PiecewiseConstantDecay: boundaries must be increasing, received [5,5]',
      ],
      [
        'PiecewiseConstantDecay',
        { boundaries: [10], values: [1, -1] },
        'PiecewiseConstantDecay: values[1] must be non-negative, received -1',
      ],
    ]);
  });
});
