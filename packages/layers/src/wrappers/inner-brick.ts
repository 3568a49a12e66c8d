/**
 * How a wrapper (TimeDistributed) builds the brick it wraps from `{ className, config }`. The registry
 * lists the wrappers, so a wrapper importing the registry would be a cycle that breaks whichever module
 * loads first; the registry hands its factory here when it loads instead.
 */
import { BrickError } from '@brickml/core';
import type { Brick } from '../layer.js';

let factory: ((spec: unknown) => Brick) | null = null;

/** Called once by registry.ts with layerFromSpec. */
export function provideBrickFactory(make: (spec: unknown) => Brick): void {
  factory = make;
}

/** The brick of `spec`; a bad spec is a BrickError naming `who` (the wrapper) and then the inner brick. */
export function innerBrickFromSpec(who: string, spec: unknown): Brick {
  if (!factory) {
    throw new BrickError(`${who}: no brick factory yet: import '@brickml/layers' (its registry) first`, who);
  }
  try {
    return factory(spec);
  } catch (e) {
    if (e instanceof BrickError) throw new BrickError(`${who}: layer: ${e.message}`, who);
    throw e;
  }
}
