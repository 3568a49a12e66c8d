import { positiveInt } from '@brickml/core';
import { LayerSpec } from '@brickml/layers';
import { z } from 'zod';

/** The JSON form of a Sequential model (weights travel apart). */
export const SequentialSpec = z.strictObject({
  /** Always 'brickml.model'. */
  format: z.literal('brickml.model'),
  /** Spec format version. Always 1. */
  version: z.literal(1),
  /** Always 'Sequential'. */
  className: z.literal('Sequential'),
  config: z.strictObject({
    /** The model's name. Default: 'sequential_N'. */
    name: z.string().min(1).optional(),
    /** Shape of one example, no batch axis. Default: taken from the first data seen. */
    inputShape: z.array(positiveInt()).optional(),
    /** The bricks, first to last. */
    layers: z.array(LayerSpec),
  }),
});
export type SequentialSpec = z.input<typeof SequentialSpec>;
