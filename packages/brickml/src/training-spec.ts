/**
 * A training file: the model (a spec or a saved model's path), compile's arguments, fit's options, the
 * data, and where the results go. `brickml fit train.json` runs it. Every name is the one compile() and
 * the registries take; fields left out take fit's and compile's defaults.
 */
import { BACKENDS, configObject, nonNegativeInt, nonNegativeNumber, positiveInt } from '@brickml/core';
import { LOSS_NAMES, type LossName, LossSpecObjectSchema } from '@brickml/losses';
import {
  CallbackSpecObject,
  METRIC_NAMES,
  type MetricName,
  MetricSpecObjectSchema,
  ModelSpec,
  SAVE_FORMATS,
} from '@brickml/models';
import { OptimizerName, OptimizerSpecObject } from '@brickml/optimizers';
import { z } from 'zod';
import { DataSource } from './data-source.js';

const list = (names: readonly string[]) => names.join(', ');

/** The callbacks a training file may name: those with a JSON form. */
const CALLBACK_NAMES = CallbackSpecObject.options.map((o) => o.shape.className.value);

export const OptimizerJson = z.union([OptimizerName, OptimizerSpecObject], {
  error: `must be an optimizer name (${list(OptimizerName.options)}) or { className, config }`,
});

/** Keras' camelCase loss names ('meanSquaredError', 'mse'), listed in errors; snake_case and class names work too. */
const LOSS_HINT = list(Object.keys(LOSS_NAMES).filter((n) => /^[a-z][a-zA-Z]*$/.test(n)));

export const LossJson = z.union([z.enum(Object.keys(LOSS_NAMES) as [LossName, ...LossName[]]), LossSpecObjectSchema], {
  error: `must be a loss name (${LOSS_HINT}) or { className, config }`,
});

/** 'meanSquaredError' for 'mean_squared_error': metric names are also taken in camelCase. */
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const METRIC_NAME_LIST = [...new Set([...METRIC_NAMES, ...METRIC_NAMES.map(camel)])] as MetricName[];

export const MetricJson = z.union([z.enum(METRIC_NAME_LIST as [MetricName, ...MetricName[]]), MetricSpecObjectSchema], {
  error: `must be a metric name (${list(METRIC_NAMES)}) or { className, config }`,
});

export const CallbackJson = z.union([z.enum(CALLBACK_NAMES as [string]), CallbackSpecObject], {
  error: `must be a callback name (${list(CALLBACK_NAMES)}) or { className, config }`,
});

/** compile's arguments in JSON: one entry for every output, a list (one per output) or a record by name. */
export const CompileJson = configObject({
  /** An optimizer name ('adam') or { className, config }. */
  optimizer: OptimizerJson,
  /** A loss name or { className, config }: one for every output, a list, or a record by output name. */
  loss: z.union([LossJson, z.array(LossJson).min(1), z.record(z.string(), LossJson)], {
    error: `must be a loss name (${LOSS_HINT}) or { className, config }, a list of them or a record by output name`,
  }),
  /** Weight of each output's loss in the total: a list or a record by output name. Default: 1 each. */
  lossWeights: z
    .union([z.array(nonNegativeNumber()), z.record(z.string(), nonNegativeNumber())], {
      error: 'must be a list of numbers or a record of numbers by output name',
    })
    .optional(),
  /** Metrics logged beside the loss: one list for every output, or a record of lists by output name. Default: none. */
  metrics: z
    .union([z.array(MetricJson), z.record(z.string(), z.array(MetricJson))], {
      error: 'must be a list of metrics or a record of lists by output name',
    })
    .optional(),
});

/** fit's options that have a JSON form. */
export const FitJson = configObject({
  /** Number of epochs. Default: 1. */
  epochs: positiveInt().optional(),
  /** Examples per gradient step. Default: 32. */
  batchSize: positiveInt().optional(),
  /** Reshuffle the training examples each epoch. Default: true. */
  shuffle: z.boolean().optional(),
  /** Fraction of the training data, taken from its end, held out for validation (ignored with data.validation). Default: 0. */
  validationSplit: z.number().min(0).lt(1, { error: 'must be in [0, 1)' }).optional(),
  /** 0 silent, 1 progress bar, 2 one line per epoch. Default: 1. */
  verbose: z.union([z.literal(0), z.literal(1), z.literal(2)], { error: 'must be 0, 1 or 2' }).optional(),
  /** Epoch to start counting from (to resume training). Default: 0. */
  initialEpoch: nonNegativeInt().optional(),
  /** Class index → weight of its samples in the loss. Default: none. */
  classWeight: z.record(z.string().regex(/^\d+$/, { error: 'must be a class index' }), nonNegativeNumber()).optional(),
  /**
   * Continue the run of the saved model `model` names where it stopped (its next epoch, shuffling position,
   * callback states, and its compile configuration with the optimizer's state, as Keras' BackupAndRestore),
   * up to `epochs`. Default: false (train it afresh from epoch initialEpoch).
   */
  resume: z.boolean().optional(),
  /** Callbacks by name or { className, config }; a CSVLogger's filename is relative to the training file. Default: none. */
  callbacks: z.array(CallbackJson).optional(),
});

export const OutputJson = configObject({
  /** Where the trained model is saved, relative to the training file. Default: `<training file name>.model` beside it. */
  model: z.string().min(1).optional(),
  /** Where the history chart (SVG) is written, relative to the training file. Default: `<training file name>.history.svg` beside it. */
  history: z.string().min(1).optional(),
  /** Format of the saved model: 'brickml', 'tfjs' or 'keras'. Default: brickml, or keras for a path ending in .keras. */
  format: z.enum(SAVE_FORMATS).optional(),
});

/** The training file `brickml fit` runs. */
export const TrainingSpec = configObject({
  /** The JSON Schema this file follows, for editors. Ignored. */
  $schema: z.string().optional(),
  /** A model spec ({ format: 'brickml.model', ... }) or the path of a saved model or spec file, relative to this file. */
  model: z.union([ModelSpec, z.string().min(1)], { error: 'must be a model spec or the path of a model file' }),
  /**
   * compile's arguments. Default: the saved model's own training configuration, when model names one that
   * has it. With fit.resume that saved configuration and its optimizer state are kept, and this is not applied.
   */
  compile: CompileJson.optional(),
  /** fit's options. */
  fit: FitJson.default({}),
  /** The examples. */
  data: configObject({
    /** What fit trains on. */
    train: DataSource,
    /** What fit validates on after each epoch. Default: none (or fit.validationSplit). */
    validation: DataSource.optional(),
    /** What the trained model is evaluated on at the end. Default: none. */
    test: DataSource.optional(),
  }),
  /** The backend: 'auto' picks the fastest available. Default: 'auto'. */
  backend: z.enum([...BACKENDS, 'auto']).default('auto'),
  /** Seed of brickml's random draws (initial weights, shuffling, dropout), for a run that repeats exactly. Default: none. */
  seed: z.int().optional(),
  /** Where the results are written. */
  output: OutputJson.default({}),
});
export type TrainingSpec = z.input<typeof TrainingSpec>;
