import {
  type CheckableBrick,
  type CheckableMultiInputBrick,
  type GradCheckOptions,
  gradCheck,
  type Shape,
} from '@brickml/core';
import { expect } from 'vitest';

/** gradCheck for a brick of one input (a shape) or of several (an array of shapes). */
const check = (
  brick: CheckableBrick | CheckableMultiInputBrick,
  shape: Shape | readonly Shape[],
  o: GradCheckOptions,
) => (brick.multiInput ? gradCheck(brick, shape as readonly Shape[], o) : gradCheck(brick, shape as Shape, o));

export interface ExpectGradOptions extends GradCheckOptions {
  /** Largest accepted relative error. */
  tolerance?: number;
}

/** Hand-written backward against tf.variableGrads of Σ y·dy for a random dy. */
export async function expectBackwardMatchesAutodiff(
  brick: CheckableBrick | CheckableMultiInputBrick,
  inputShape: Shape | readonly Shape[],
  options: ExpectGradOptions = {},
): Promise<void> {
  const { tolerance = 1e-3, ...rest } = options;
  const report = await check(brick, inputShape, { ...rest, autodiff: true, maxChecks: 1 });
  for (const [key, err] of Object.entries(report.autodiff ?? {})) {
    expect(err.maxRelError, `${brick.className} d/d${key} against autodiff`).toBeLessThan(tolerance);
  }
}

/** Hand-written backward against central finite differences (float32-aware step). */
export async function expectFiniteDifferences(
  brick: CheckableBrick | CheckableMultiInputBrick,
  inputShape: Shape | readonly Shape[],
  options: ExpectGradOptions = {},
): Promise<void> {
  const { tolerance = 2e-2, ...rest } = options;
  const report = await check(brick, inputShape, { ...rest, autodiff: false });
  for (const [key, err] of Object.entries(report.finiteDifferences)) {
    expect(err.maxRelError, `${brick.className} d/d${key} against finite differences`).toBeLessThan(tolerance);
  }
}
