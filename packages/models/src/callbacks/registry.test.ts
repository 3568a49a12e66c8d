import { BrickError } from '@brickml/core';
// The package entry first: CSVLogger's file reaches the model (through saving), which imports the callbacks.
import '../index.js';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { Callback } from '../types.js';
import { BackupAndRestore } from './backup-and-restore.js';
import { CSVLogger } from './csv-logger.js';
import { EarlyStopping } from './early-stopping.js';
import { LambdaCallback } from './lambda-callback.js';
import { ModelCheckpoint } from './model-checkpoint.js';
import { ReduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { type CallbackClassName, CallbackSpec, callbackFromSpec } from './registry.js';
import { TerminateOnNaN } from './terminate-on-nan.js';

describe('callbackFromSpec', () => {
  test('builds each callback from { className, config }, keeping the config', () => {
    const early = callbackFromSpec({ className: 'EarlyStopping', config: { patience: 3, restoreBestWeights: true } });
    expect(early).toBeInstanceOf(EarlyStopping);
    expect((early as EarlyStopping).config).toMatchObject({
      monitor: 'val_loss',
      patience: 3,
      restoreBestWeights: true,
    });
    const plateau = callbackFromSpec({ className: 'ReduceLROnPlateau', config: { factor: 0.5, monitor: 'loss' } });
    expect(plateau).toBeInstanceOf(ReduceLROnPlateau);
    expect((plateau as ReduceLROnPlateau).config).toMatchObject({ factor: 0.5, monitor: 'loss', patience: 10 });
    const csv = callbackFromSpec({ className: 'CSVLogger', config: { filename: 'log.csv', separator: ';' } });
    expect(csv).toBeInstanceOf(CSVLogger);
    expect((csv as CSVLogger).config).toEqual({ filename: 'log.csv', separator: ';', append: false });
    expect(callbackFromSpec({ className: 'TerminateOnNaN', config: {} })).toBeInstanceOf(TerminateOnNaN);
    const checkpoint = callbackFromSpec({
      className: 'ModelCheckpoint',
      config: { filepath: 'ckpt-{epoch:02d}', saveBestOnly: true, period: 2 },
    });
    expect(checkpoint).toBeInstanceOf(ModelCheckpoint);
    expect((checkpoint as ModelCheckpoint).config).toMatchObject({ monitor: 'val_loss', saveFreq: 'epoch', period: 2 });
    const backup = callbackFromSpec({ className: 'BackupAndRestore', config: { backupDir: 'backup', saveFreq: 10 } });
    expect(backup).toBeInstanceOf(BackupAndRestore);
    expect((backup as BackupAndRestore).config).toEqual({ backupDir: 'backup', saveFreq: 10, deleteCheckpoint: true });
  });

  test('builds a callback with its defaults from its class name or a spec without config', () => {
    expect(callbackFromSpec('TerminateOnNaN')).toBeInstanceOf(TerminateOnNaN);
    expect((callbackFromSpec('EarlyStopping') as EarlyStopping).config.patience).toBe(0);
    expect((callbackFromSpec({ className: 'ReduceLROnPlateau' }) as ReduceLROnPlateau).config.factor).toBe(0.1);
  });

  test('round-trips a config through JSON', () => {
    const first = new EarlyStopping({ monitor: 'val_accuracy', minDelta: 0.01, baseline: 0.9, startFromEpoch: 2 });
    const again = callbackFromSpec(JSON.parse(JSON.stringify({ className: 'EarlyStopping', config: first.config })));
    expect((again as EarlyStopping).config).toEqual(first.config);
  });

  test('returns a Callback object as it is', () => {
    const lambda = new LambdaCallback({ onEpochEnd: () => {} });
    expect(callbackFromSpec(lambda)).toBe(lambda);
    const plain: Callback = { onTrainEnd: () => {} };
    expect(callbackFromSpec(plain)).toBe(plain);
  });

  test('names the callback and the field of a bad config', () => {
    expect(() => callbackFromSpec({ className: 'ReduceLROnPlateau', config: { factor: 1.5 } })).toThrowError(
      BrickError,
    );
    expect(() => callbackFromSpec({ className: 'ReduceLROnPlateau', config: { factor: 1.5 } })).toThrow(
      'ReduceLROnPlateau: factor must be below 1, received 1.5',
    );
    expect(() => callbackFromSpec({ className: 'CSVLogger' })).toThrow(/^CSVLogger: filename .*received nothing$/);
    expect(() => callbackFromSpec({ className: 'TerminateOnNaN', config: { verbose: true } } as never)).toThrow(
      "TerminateOnNaN: unknown field(s) 'verbose'",
    );
    expect(() => callbackFromSpec({ className: 'EarlyStopping', config: { monitor: 'val_f1' } })).toThrow(
      "EarlyStopping: cannot tell whether monitor 'val_f1' should go up or down",
    );
  });

  test('refuses an unknown callback, listing the known ones', () => {
    const known = 'EarlyStopping, ReduceLROnPlateau, CSVLogger, TerminateOnNaN, ModelCheckpoint, BackupAndRestore';
    expect(() => callbackFromSpec({ className: 'LambdaCallback', config: {} } as never)).toThrow(
      `callbackFromSpec: unknown className "LambdaCallback", expected one of ${known}`,
    );
    expect(() => callbackFromSpec('History' as never)).toThrow(
      `callbackFromSpec: unknown callback "History", expected one of ${known}`,
    );
    expect(() => callbackFromSpec(null as never)).toThrow('callbackFromSpec: expected a callback name');
  });

  test('validates specs with a union over the class names', () => {
    expectTypeOf<CallbackClassName>().toEqualTypeOf<
      'EarlyStopping' | 'ReduceLROnPlateau' | 'CSVLogger' | 'TerminateOnNaN' | 'ModelCheckpoint' | 'BackupAndRestore'
    >();
    expect(CallbackSpec.safeParse('TerminateOnNaN').success).toBe(true);
    expect(CallbackSpec.safeParse({ className: 'EarlyStopping', config: { patience: 2 } }).success).toBe(true);
    expect(CallbackSpec.safeParse({ className: 'EarlyStopping', config: { patience: -1 } }).success).toBe(false);
    expect(CallbackSpec.safeParse({ className: 'LambdaCallback' }).success).toBe(false);
  });
});
