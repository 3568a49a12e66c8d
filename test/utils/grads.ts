import { type CheckableBrick, type GradCheckOptions, gradCheck, type Shape } from '@brickml/core';
import { expect } from 'vitest';

export interface ExpectGradOptions extends GradCheckOptions {
  /** Largest accepted relative error. */
  tolerance?: number;
}

/** Hand-written backward against tf.variableGrads of Σ y·dy for a random dy. */
export async function expectBackwardMatchesAutodiff(
  brick: CheckableBrick,
  inputShape: Shape,
  options: ExpectGradOptions = {},
): Promise<void> {
  const { tolerance = 1e-3, ...rest } = options;
  const report = await gradCheck(brick, inputShape, { ...rest, autodiff: true, maxChecks: 1 });
  for (const [key, err] of Object.entries(report.autodiff ?? {})) {
    expect(err.maxRelError, `${brick.className} d/d${key} against autodiff`).toBeLessThan(tolerance);
  }
}

/** Hand-written backward against central finite differences (float32-aware step). */
export async function expectFiniteDifferences(
  brick: CheckableBrick,
  inputShape: Shape,
  options: ExpectGradOptions = {},
): Promise<void> {
  const { tolerance = 2e-2, ...rest } = options;
  const report = await gradCheck(brick, inputShape, { ...rest, autodiff: false });
  for (const [key, err] of Object.entries(report.finiteDifferences)) {
    expect(err.maxRelError, `${brick.className} d/d${key} against finite differences`).toBeLessThan(tolerance);
  }
}
