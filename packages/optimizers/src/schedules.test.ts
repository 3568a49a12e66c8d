import { describe, expect, test } from 'vitest';
import { CosineDecay, ExponentialDecay, PiecewiseConstantDecay, scheduleFromSpec } from './schedules.js';

describe('schedules', () => {
  test('ExponentialDecay: lr₀·rate^(step/steps), floored with staircase', () => {
    const smooth = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    expect(smooth.at(0)).toBe(0.1);
    expect(smooth.at(5)).toBeCloseTo(0.1 * Math.SQRT1_2, 12);
    expect(smooth.at(20)).toBeCloseTo(0.025, 12);
    const stairs = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect([stairs.at(9), stairs.at(10), stairs.at(19)]).toEqual([0.1, 0.05, 0.05]);
  });

  test('CosineDecay: half-cosine from lr₀ to α·lr₀ over decaySteps, then flat', () => {
    const lr = new CosineDecay({ initialLearningRate: 1, decaySteps: 100, alpha: 0.1 });
    expect(lr.at(0)).toBe(1);
    expect(lr.at(50)).toBeCloseTo(0.55, 12);
    expect(lr.at(100)).toBeCloseTo(0.1, 12);
    expect(lr.at(500)).toBeCloseTo(0.1, 12);
  });

  test('CosineDecay with warmup rises linearly to warmupTarget, then decays from it', () => {
    const lr = new CosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 });
    expect([lr.at(0), lr.at(2), lr.at(4)]).toEqual([0, 0.5, 1]);
    expect(lr.at(9)).toBeCloseTo(0.5, 12);
    expect(lr.at(14)).toBeCloseTo(0, 12);
    expect(lr.at(40)).toBeCloseTo(0, 12);
  });

  test('PiecewiseConstantDecay: values[i] for boundaries[i-1] < step ≤ boundaries[i]', () => {
    const lr = new PiecewiseConstantDecay({ boundaries: [100, 200], values: [1, 0.5, 0.1] });
    expect([lr.at(0), lr.at(100), lr.at(101), lr.at(200), lr.at(201)]).toEqual([1, 1, 0.5, 0.5, 0.1]);
  });

  test('PiecewiseConstantDecay refuses values that do not fit the boundaries', () => {
    expect(() => new PiecewiseConstantDecay({ boundaries: [10], values: [1] })).toThrow(
      'PiecewiseConstantDecay: values must have one more entry than boundaries (2 entries), received [1]',
    );
    expect(() => new PiecewiseConstantDecay({ boundaries: [10, 5], values: [1, 2, 3] })).toThrow(
      'PiecewiseConstantDecay: boundaries must be increasing, received [10,5]',
    );
  });

  test('specs round-trip through JSON', () => {
    for (const s of [
      new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }),
      new CosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupTarget: 0.2, warmupSteps: 3 }),
      new PiecewiseConstantDecay({ boundaries: [1], values: [0.1, 0.01] }),
    ]) {
      const again = scheduleFromSpec(JSON.parse(JSON.stringify(s.toSpec())));
      expect(again.toSpec()).toEqual(s.toSpec());
      expect(again.at(7)).toBe(s.at(7));
    }
  });

  test('refuses bad fields and unknown schedules by name', () => {
    expect(() => new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(
      'ExponentialDecay: decaySteps must be positive, received 0',
    );
    expect(() =>
      scheduleFromSpec({ className: 'CosineDecay', config: { initialLearningRate: 0.1, decaySteps: -1 } }),
    ).toThrow('CosineDecay: decaySteps must be positive, received -1');
    expect(() => scheduleFromSpec({ className: 'Linear', config: {} } as never)).toThrow(
      'scheduleFromSpec: unknown className "Linear", expected one of ExponentialDecay, CosineDecay, PiecewiseConstantDecay',
    );
  });
});
