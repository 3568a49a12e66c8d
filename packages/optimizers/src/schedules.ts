/**
 * Learning-rate schedules (Keras 3), evaluated at the 0-based step count on the CPU:
 * ExponentialDecay: lr₀·rate^(step/steps), the exponent floored when `staircase`.
 * CosineDecay: lr₀·((1-α)·½(1+cos(π·min(step, steps)/steps)) + α), after an optional linear warmup to warmupTarget.
 * PiecewiseConstantDecay: values[i] for boundaries[i-1] < step ≤ boundaries[i].
 * The table at the end is the one list of schedules: adding one adds its class and one line there.
 */
import {
  configObject,
  entry,
  nonNegativeInt,
  nonNegativeNumber,
  parseConfig,
  positiveNumber,
  registry,
} from '@brickml/core';
import { z } from 'zod';
import { inInterval } from './interval.js';
import type { Schedule } from './optimizer.js';

export const ExponentialDecayConfig = configObject({
  /** Learning rate at step 0. Required. */
  initialLearningRate: nonNegativeNumber(),
  /** Steps over which the rate is multiplied by decayRate once. Required. */
  decaySteps: positiveNumber(),
  /** Factor applied every decaySteps. Required. */
  decayRate: positiveNumber(),
  /** Decay in whole steps of decaySteps (a staircase) instead of smoothly. Default false. */
  staircase: z.boolean().default(false),
});

export const CosineDecayConfig = configObject({
  /** Learning rate at step 0 (where the warmup starts, if any). Required. */
  initialLearningRate: nonNegativeNumber(),
  /** Steps of cosine decay (after the warmup). Required. */
  decaySteps: positiveNumber(),
  /** Floor of the decay, as a fraction in [0, 1] of the decayed-from rate. Default 0. */
  alpha: inInterval('[0, 1]').default(0),
  /** Rate reached at the end of a linear warmup; none when absent. Default: no warmup. */
  warmupTarget: nonNegativeNumber().optional(),
  /** Steps of linear warmup from initialLearningRate to warmupTarget. Default 0. */
  warmupSteps: nonNegativeInt().default(0),
});

export const PiecewiseConstantDecayConfig = z
  .strictObject({
    /** Increasing step counts where the rate changes. Required. */
    boundaries: z.array(z.number({ error: 'must be a number' })),
    /** Rates, one more than boundaries: values[0] up to boundaries[0], ... Required. */
    values: z.array(nonNegativeNumber()),
  })
  .superRefine(({ boundaries, values }, ctx) => {
    if (values.length !== boundaries.length + 1) {
      const error = `must have one more entry than boundaries (${boundaries.length + 1} entries)`;
      ctx.addIssue({ code: 'custom', path: ['values'], message: error, input: values });
    }
    if (boundaries.some((b, i) => i > 0 && b <= (boundaries[i - 1] as number))) {
      ctx.addIssue({ code: 'custom', path: ['boundaries'], message: 'must be increasing', input: boundaries });
    }
  });

type Spec<N extends string, C> = { className: N; config: C };

/**
 * Multiplies the rate by `decayRate` every `decaySteps` steps.
 *
 * @example
 * const lr = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5 });
 * lr.at(100); // 0.05
 */
export class ExponentialDecay implements Schedule {
  readonly className = 'ExponentialDecay';
  readonly config: z.output<typeof ExponentialDecayConfig>;
  constructor(config: z.input<typeof ExponentialDecayConfig>) {
    this.config = parseConfig('ExponentialDecay', ExponentialDecayConfig, config);
  }
  at(step: number): number {
    const { initialLearningRate, decaySteps, decayRate, staircase } = this.config;
    const p = step / decaySteps;
    return initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p);
  }
  toSpec(): Spec<'ExponentialDecay', z.output<typeof ExponentialDecayConfig>> {
    return { className: this.className, config: { ...this.config } };
  }
}

/**
 * Cosine decay from the initial rate (or the warmup target) to alpha times it over `decaySteps`.
 *
 * @example
 * const lr = new CosineDecay({ initialLearningRate: 0.1, decaySteps: 1000 });
 * lr.at(500); // 0.05
 */
export class CosineDecay implements Schedule {
  readonly className = 'CosineDecay';
  readonly config: z.output<typeof CosineDecayConfig>;
  constructor(config: z.input<typeof CosineDecayConfig>) {
    this.config = parseConfig('CosineDecay', CosineDecayConfig, config);
  }
  at(step: number): number {
    const { initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps } = this.config;
    const decay = (s: number, from: number) =>
      from * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * s) / decaySteps)) + alpha);
    if (warmupTarget === undefined) return decay(Math.min(step, decaySteps), initialLearningRate);
    const s = Math.min(step, decaySteps + warmupSteps);
    if (s < warmupSteps) return initialLearningRate + ((warmupTarget - initialLearningRate) * s) / warmupSteps;
    return decay(s - warmupSteps, warmupTarget);
  }
  toSpec(): Spec<'CosineDecay', z.output<typeof CosineDecayConfig>> {
    return { className: this.className, config: JSON.parse(JSON.stringify(this.config)) };
  }
}

/**
 * A constant rate per interval of steps: values[0] while step ≤ boundaries[0], then values[1], ...
 *
 * @example
 * const lr = new PiecewiseConstantDecay({ boundaries: [100, 200], values: [0.1, 0.01, 0.001] });
 * lr.at(150); // 0.01
 */
export class PiecewiseConstantDecay implements Schedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly config: z.output<typeof PiecewiseConstantDecayConfig>;
  constructor(config: z.input<typeof PiecewiseConstantDecayConfig>) {
    this.config = parseConfig('PiecewiseConstantDecay', PiecewiseConstantDecayConfig, config);
  }
  at(step: number): number {
    const { boundaries, values } = this.config;
    const i = boundaries.findIndex((b) => step <= b);
    return values[i === -1 ? boundaries.length : i] as number;
  }
  toSpec(): Spec<'PiecewiseConstantDecay', z.output<typeof PiecewiseConstantDecayConfig>> {
    return { className: this.className, config: JSON.parse(JSON.stringify(this.config)) };
  }
}

const SCHEDULES = registry('scheduleFromSpec', {
  ExponentialDecay: entry(ExponentialDecayConfig, (c) => new ExponentialDecay(c)),
  CosineDecay: entry(CosineDecayConfig, (c) => new CosineDecay(c)),
  PiecewiseConstantDecay: entry(PiecewiseConstantDecayConfig, (c) => new PiecewiseConstantDecay(c)),
});

/** `{ className, config }` of a schedule: the one list of schedules. */
export const ScheduleSpec = SCHEDULES.spec;
export type ScheduleSpec = z.input<typeof ScheduleSpec>;
export type ScheduleClassName = ScheduleSpec['className'];

/** True for an object that acts as a schedule (has `at` and `toSpec`). */
export function isSchedule(x: unknown): x is Schedule {
  return typeof (x as Schedule | null)?.at === 'function' && typeof (x as Schedule).toSpec === 'function';
}

/** Builds a schedule from `{ className, config }` (validating the config), or returns a Schedule as is. */
export function scheduleFromSpec(spec: ScheduleSpec | Schedule): Schedule {
  return isSchedule(spec) ? spec : SCHEDULES.create(spec);
}
