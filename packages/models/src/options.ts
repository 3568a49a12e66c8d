/** Options of fit and evaluate: one zod schema each, defaults stated once (Keras 3 defaults). */
import { configObject, nonNegativeInt, nonNegativeNumber, positiveInt } from '@brickml/core';
import { z } from 'zod';
import { TrainingStateOption } from './callbacks/fit-progress.js';
import type { DataLike } from './data.js';
import type { ModelData } from './model-data.js';
import type { Callback } from './types.js';

const isCallback = (c: unknown) => typeof c === 'object' && c !== null;

export const FitOptions = configObject({
  /** Index of the epoch to stop before. Default: 1. */
  epochs: positiveInt().default(1),
  /** Examples per gradient step. Default: 32. */
  batchSize: positiveInt().default(32),
  /** Reshuffle the training examples each epoch (seeded by setSeed). Default: true. */
  shuffle: z.boolean().default(true),
  /** Fraction of the data, taken from the end before shuffling, held out for validation. Default: 0. */
  validationSplit: z.number().min(0).lt(1).default(0),
  /**
   * [x, y] or [x, y, sampleWeight] evaluated after each epoch (x and y in any form fit takes: one per input
   * and output, as lists or records by name); overrides validationSplit. Default: none.
   */
  validationData: z
    .union([
      z.tuple([z.custom<ModelData>(), z.custom<ModelData>()]),
      z.tuple([z.custom<ModelData>(), z.custom<ModelData>(), z.custom<DataLike>()]),
    ])
    .optional(),
  /** Hooks called during training. Default: none (History is always added). */
  callbacks: z.array(z.custom<Callback>(isCallback, 'must be callback objects')).default([]),
  /** 0 silent, 1 progress per epoch with a live line, 2 one line per epoch. Default: 1. */
  verbose: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
  /** Epoch to start counting from (to resume training). Default: 0, or the epoch of trainingState. */
  initialEpoch: nonNegativeInt().default(0),
  /**
   * Progress to continue from exactly (`model.trainingState` of a loaded checkpoint, or a History's
   * `trainingState`): the first epoch, the generator's position and the callbacks' states. Default: none.
   */
  trainingState: TrainingStateOption,
  /** Class index → weight of its samples in the loss. Default: none. */
  classWeight: z.record(z.string(), nonNegativeNumber()).optional(),
  /** One weight per training sample. Default: none. */
  sampleWeight: z.custom<DataLike>().optional(),
});
export type FitOptions = z.input<typeof FitOptions>;

export const EvaluateOptions = configObject({
  /** Examples per forward pass (capped so no activation exceeds a GPU buffer binding). Default: 32. */
  batchSize: positiveInt().default(32),
  /** 0 silent, 1 or 2 prints the results. Default: 0. */
  verbose: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
  /** One weight per sample. Default: none. */
  sampleWeight: z.custom<DataLike>().optional(),
});
export type EvaluateOptions = z.input<typeof EvaluateOptions>;
