import { BrickError } from './errors.js';

/** The shape of one example, without the batch axis: [784], [28, 28, 1]. */
export type Shape = readonly number[];

/** `[null, 28, 28, 1]` style text for a shape with an optional batch axis. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

export function shapesEqual(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

export function sizeOf(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * Throws a BrickError naming `who` and both shapes unless `actual` (with batch axis) is
 * `[batch, ...expected]`.
 */
export function assertBatchShape(who: string, what: string, expected: Shape, actual: readonly number[]): void {
  const ok = actual.length === expected.length + 1 && expected.every((d, i) => actual[i + 1] === d);
  if (!ok) {
    throw new BrickError(
      `${who}: ${what} must have shape ${formatShape([null, ...expected])}, received ${formatShape(actual)}`,
      who,
    );
  }
}
