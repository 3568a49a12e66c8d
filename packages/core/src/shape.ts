import { BrickError } from './errors.js';

/**
 * The shape of one example, without the batch axis: [784], [28, 28, 1]. A null axis is free: its size is
 * fixed per batch, not per model (the time axis of variable-length sequences, `[null, 8]`).
 */
export type Shape = readonly (number | null)[];

/** `[null, 28, 28, 1]` style text for a shape with an optional batch axis. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

export function shapesEqual(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === null || b[i] === null || d === b[i]);
}

/** The shape with every free axis given the size `free`: the shape of a concrete example. */
export function concreteShape(shape: Shape, free: number): number[] {
  return shape.map((d) => d ?? free);
}

/** The shape as numbers, or a BrickError naming `who` when an axis is free (Flatten, Reshape need sizes). */
export function fixedShape(who: string, what: string, shape: Shape): number[] {
  if (shape.some((d) => d === null)) {
    throw new BrickError(
      `${who}: ${what} must have a size on every axis, received ${formatShape([null, ...shape])}`,
      who,
    );
  }
  return shape as number[];
}

/** Elements in one example; a free axis counts as `free` (default 1). */
export function sizeOf(shape: Shape, free = 1): number {
  return shape.reduce<number>((n, d) => n * (d ?? free), 1);
}

/**
 * Throws a BrickError naming `who` and both shapes unless `actual` (with batch axis) is
 * `[batch, ...expected]` (a free axis of `expected` takes any size).
 */
export function assertBatchShape(who: string, what: string, expected: Shape, actual: readonly number[]): void {
  const ok = actual.length === expected.length + 1 && expected.every((d, i) => d === null || actual[i + 1] === d);
  if (!ok) {
    throw new BrickError(
      `${who}: ${what} must have shape ${formatShape([null, ...expected])}, received ${formatShape(actual)}`,
      who,
    );
  }
}
