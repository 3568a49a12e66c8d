/**
 * The one list of bricks. Adding a brick adds one union entry and one case below; the exhaustive
 * switch makes a missing case a compile error.
 */
import { BrickError, parseConfig } from '@brickml/core';
import { z } from 'zod';
import { Dense, DenseConfig } from './dense.js';
import type { Layer } from './layer.js';

const entry = <N extends string, C extends z.ZodType>(className: N, config: C) =>
  z.strictObject({ className: z.literal(className), config: config });

export const LayerSpec = z.discriminatedUnion('className', [entry('Dense', DenseConfig)]);
export type LayerSpec = z.input<typeof LayerSpec>;
export type LayerClassName = LayerSpec['className'];

/** Builds a brick from `{ className, config }`, validating the config first. */
export function layerFromSpec(spec: unknown): Layer {
  const className = (spec as { className?: unknown } | null)?.className;
  if (typeof className !== 'string' || !LayerSpec.options.some((o) => o.shape.className.value === className)) {
    const known = LayerSpec.options.map((o) => o.shape.className.value).join(', ');
    throw new BrickError(
      `layerFromSpec: unknown className ${JSON.stringify(className)}, expected one of ${known}`,
      'layerFromSpec',
    );
  }
  const parsed = parseConfig(className, LayerSpec, spec);
  return build(parsed);
}

function build(spec: z.output<typeof LayerSpec>): Layer {
  switch (spec.className) {
    case 'Dense':
      return new Dense(spec.config);
    default:
      return unreachable(spec);
  }
}

function unreachable(spec: never): never {
  throw new BrickError(`layerFromSpec: no factory for ${JSON.stringify(spec)}`, 'layerFromSpec');
}
