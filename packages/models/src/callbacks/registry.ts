/**
 * The one list of callbacks a spec can describe: the table below. A callback is written as its class
 * name ('TerminateOnNaN'), `{ className, config }` (config optional), or a Callback object, passed
 * through. Callbacks built around functions or streams (LambdaCallback, LearningRateScheduler,
 * ProgressLogger) and History have no JSON form. Adding one adds its file and one table line.
 */
import { BrickError, entry, registry } from '@brickml/core';
import { z } from 'zod';
import type { Callback } from '../types.js';
import { BackupAndRestore, BackupAndRestoreConfig } from './backup-and-restore.js';
import { CSVLogger, CSVLoggerConfig } from './csv-logger.js';
import { EarlyStopping, EarlyStoppingConfig } from './early-stopping.js';
import { ModelCheckpoint, ModelCheckpointConfig } from './model-checkpoint.js';
import { ReduceLROnPlateau, ReduceLROnPlateauConfig } from './reduce-lr-on-plateau.js';
import { TerminateOnNaN, TerminateOnNaNConfig } from './terminate-on-nan.js';

const CALLBACKS = registry(
  'callbackFromSpec',
  {
    EarlyStopping: entry(EarlyStoppingConfig, (c) => new EarlyStopping(c)),
    ReduceLROnPlateau: entry(ReduceLROnPlateauConfig, (c) => new ReduceLROnPlateau(c)),
    CSVLogger: entry(CSVLoggerConfig, (c) => new CSVLogger(c)),
    TerminateOnNaN: entry(TerminateOnNaNConfig, () => new TerminateOnNaN()),
    ModelCheckpoint: entry(ModelCheckpointConfig, (c) => new ModelCheckpoint(c)),
    BackupAndRestore: entry(BackupAndRestoreConfig, (c) => new BackupAndRestore(c)),
  },
  'optional',
);

/** `{ className, config }` of a built-in callback, config optional. */
export const CallbackSpecObject = CALLBACKS.spec;
export type CallbackClassName = z.input<typeof CallbackSpecObject>['className'];

/** `'TerminateOnNaN'` or `{ className: 'EarlyStopping', config: { patience: 3 } }`. */
export const CallbackSpec = z.union([z.enum(CALLBACKS.names as [CallbackClassName]), CallbackSpecObject]);
export type CallbackSpec = z.input<typeof CallbackSpec>;

/**
 * Builds a callback from its class name or `{ className, config }` (validating the config), or
 * returns a Callback object as it is.
 *
 * @example
 * callbackFromSpec({ className: 'EarlyStopping', config: { patience: 3, restoreBestWeights: true } });
 * callbackFromSpec('TerminateOnNaN');
 */
export function callbackFromSpec(spec: CallbackSpec | Callback): Callback {
  if (typeof spec === 'string') {
    if (!CALLBACKS.has(spec)) {
      throw new BrickError(
        `callbackFromSpec: unknown callback ${JSON.stringify(spec)}, expected one of ${CALLBACKS.names.join(', ')}`,
        'callbackFromSpec',
      );
    }
    return CALLBACKS.create({ className: spec });
  }
  if (spec === null || typeof spec !== 'object') {
    throw new BrickError(
      `callbackFromSpec: expected a callback name, { className, config } or a Callback, received ${JSON.stringify(spec)}`,
      'callbackFromSpec',
    );
  }
  return 'className' in spec ? CALLBACKS.create(spec) : spec;
}
