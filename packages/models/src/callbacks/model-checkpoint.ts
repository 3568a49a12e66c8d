/**
 * ModelCheckpoint (Keras): saves the model during fit to a path filled from the epoch and the logs, every
 * epoch (or every `period` epochs, or every `saveFreq` batches), or only when the monitored value improves.
 * Each save holds the fit's TrainingState, so `loadModel(path)` continues exactly from it.
 */
import { BrickError, configObject, parseConfig, positiveInt } from '@brickml/core';
import { z } from 'zod';
import type { Callback, CallbackState, Logs, TrainingModel, TrainingProgress } from '../types.js';
import { filepathFields, formatFilepath } from './format-filepath.js';
import { monitorDirection } from './monitor.js';

export const ModelCheckpointConfig = configObject({
  /** Where to save: a model folder (or a URL such as 'indexeddb://ckpt'); `{epoch}` (from 1), `{batch}` (with a saveFreq in batches) and `{<log key>}` fields as Python formats them: 'ckpt-{epoch:02d}-{val_loss:.2f}'. A '.keras' file holds no training state, so it needs saveWeightsOnly. Required. */
  filepath: z.string().min(1),
  /** Log key compared for saveBestOnly. Default: 'val_loss'. */
  monitor: z.string().min(1).default('val_loss'),
  /** 'min', 'max', or 'auto' (from the monitor's name). Default: 'auto'. */
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
  /** Save only when the monitored value beats the best so far. Default: false. */
  saveBestOnly: z.boolean().default(false),
  /** Save the spec and the weights only, without the optimizer's state or the training progress: smaller, loads uncompiled, cannot resume. Unlike Keras' save_weights_only the spec is kept, so loadModel rebuilds the model. Default: false. */
  saveWeightsOnly: z.boolean().default(false),
  /** 'epoch' (at the end of epochs) or a number of batches between saves, counted across epochs. Default: 'epoch'. */
  saveFreq: z.union([z.literal('epoch'), positiveInt()]).default('epoch'),
  /** With saveFreq 'epoch': save after epochs period, 2·period, ... (counted from 1). Default: 1. */
  period: positiveInt().default(1),
  /** With saveBestOnly: the value the first save must beat. Default: none. */
  initialValueThreshold: z.number().optional(),
  /** 1 prints a line for each save. Default: 0. */
  verbose: z.union([z.literal(0), z.literal(1)]).default(0),
});

/** What ModelCheckpoint carries across a resume. */
export const ModelCheckpointState = configObject({
  /** Always 'ModelCheckpoint'. */
  className: z.literal('ModelCheckpoint'),
  /** Best monitored value saved so far; null before the first. */
  best: z.number().nullable(),
  /** Batches since the last save (with a saveFreq in batches). */
  batchesSinceSave: z.int().nonnegative(),
});

/**
 * Saves the model while it trains. Saves made at an epoch's end resume exactly (`loadModel(path)`, then
 * `fit(x, y, { trainingState: model.trainingState, callbacks })` with the same callbacks); a save every N
 * batches resumes at the start of the epoch it was made in, as Keras does.
 * @example
 * callbacks: [new ModelCheckpoint({ filepath: 'ckpt/epoch-{epoch:02d}-{val_loss:.2f}', saveBestOnly: true })]
 */
export class ModelCheckpoint implements Callback {
  readonly config: z.output<typeof ModelCheckpointConfig>;
  /** Best monitored value saved so far (saveBestOnly). */
  best: number | undefined;
  /** Paths saved since training began, in order. */
  readonly saved: string[] = [];
  private batchesSinceSave = 0;
  private epoch = 0;
  private model?: TrainingModel;
  private progress?: TrainingProgress;
  private readonly direction: 'min' | 'max';
  /** The reasons already warned about in this fit, each warned once. */
  private readonly warned = new Set<'missing' | 'nan'>();

  constructor(config: z.input<typeof ModelCheckpointConfig>) {
    const who = 'ModelCheckpoint';
    this.config = parseConfig(who, ModelCheckpointConfig, config);
    this.direction = monitorDirection(who, this.config.monitor, this.config.mode);
    this.best = this.config.initialValueThreshold;
    // A template that cannot be filled fails here, not after the first epoch of training.
    const { filepath, saveFreq, saveWeightsOnly } = this.config;
    if (saveFreq === 'epoch' && filepathFields(who, filepath).includes('batch')) {
      throw new BrickError(
        `${who}: filepath '${filepath}' names '{batch}', but saves are made at epochs' ends (saveFreq 'epoch'); give saveFreq a number of batches, or drop '{batch}'`,
        who,
      );
    }
    if (filepath.endsWith('.keras') && !saveWeightsOnly) {
      throw new BrickError(
        `${who}: filepath '${filepath}' is a .keras file, which holds no optimizer state or training progress, so a fit could not resume from it; save to a folder (no '.keras'), or set saveWeightsOnly: true`,
        who,
      );
    }
  }

  /** With saves every N batches and saveBestOnly, the monitored batch loss is read each batch. */
  get needsBatchLoss(): boolean {
    return this.config.saveFreq !== 'epoch' && this.config.saveBestOnly;
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  setProgress(progress: TrainingProgress): void {
    this.progress = progress;
  }

  getState(): CallbackState {
    return { className: 'ModelCheckpoint', best: this.best ?? null, batchesSinceSave: this.batchesSinceSave };
  }

  setState(state: CallbackState): void {
    const s = parseConfig('ModelCheckpoint.setState', ModelCheckpointState, state);
    this.best = s.best ?? undefined;
    this.batchesSinceSave = s.batchesSinceSave;
  }

  onTrainBegin(): void {
    this.best = this.config.initialValueThreshold;
    this.batchesSinceSave = 0;
    this.saved.length = 0;
    this.warned.clear();
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    if (this.config.saveFreq === 'epoch') return;
    this.batchesSinceSave += 1;
    if (this.batchesSinceSave < this.config.saveFreq) return;
    // A save mid-epoch resumes at the start of this epoch.
    await this.maybeSave(this.epoch, { ...logs, batch: batch + 1 }, this.epoch);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.config.saveFreq !== 'epoch' || (epoch + 1) % this.config.period !== 0) return;
    await this.maybeSave(epoch, logs, epoch + 1);
  }

  private improves(current: number): boolean {
    if (this.best === undefined) return true;
    return this.direction === 'min' ? current < this.best : current > this.best;
  }

  private warn(reason: 'missing' | 'nan', message: string): void {
    if (this.warned.has(reason)) return;
    this.warned.add(reason);
    console.warn(`ModelCheckpoint: ${message}`);
  }

  private async maybeSave(epoch: number, logs: Logs, resumeEpoch: number): Promise<void> {
    const current = logs[this.config.monitor];
    if (this.config.saveBestOnly) {
      const { monitor } = this.config;
      if (current === undefined) {
        const available = Object.keys(logs).join(', ');
        return this.warn(
          'missing',
          `cannot save the best model, monitor '${monitor}' is not in the logs; available: ${available}`,
        );
      }
      if (Number.isNaN(current))
        return this.warn('nan', `monitor '${monitor}' is NaN, so nothing was saved as the best model`);
      if (!this.improves(current)) return;
    }
    // The saved training state holds the new best; a save that fails leaves the old one.
    const { best, batchesSinceSave } = this;
    if (this.config.saveBestOnly) this.best = current;
    this.batchesSinceSave = 0;
    try {
      await this.save(epoch, logs, resumeEpoch);
    } catch (e) {
      this.best = best;
      this.batchesSinceSave = batchesSinceSave;
      throw e;
    }
  }

  private async save(epoch: number, logs: Logs, resumeEpoch: number): Promise<void> {
    const model = this.model;
    if (model?.save === undefined) {
      throw new BrickError('ModelCheckpoint: the model being trained has no save method', 'ModelCheckpoint');
    }
    const path = formatFilepath('ModelCheckpoint', this.config.filepath, { ...logs, epoch: epoch + 1 });
    if (this.config.saveWeightsOnly) await model.save(path, { includeOptimizer: false });
    else {
      const trainingState = this.progress?.snapshot(resumeEpoch);
      await model.save(path, { includeOptimizer: true, ...(trainingState && { trainingState }) });
    }
    this.saved.push(path);
    if (this.config.verbose) console.log(`Epoch ${epoch + 1}: saved the model to ${path}`);
  }
}
