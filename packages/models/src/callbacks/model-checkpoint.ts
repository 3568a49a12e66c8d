/**
 * ModelCheckpoint (Keras): saves the model during fit to a path filled from the epoch and the logs, every
 * epoch (or every `period` epochs, or every `saveFreq` batches), or only when the monitored value improves.
 * Each save holds the fit's TrainingState, so `loadModel(path)` continues exactly from it.
 */
import { BrickError, parseConfig, positiveInt } from '@brickml/core';
import { z } from 'zod';
import type { Callback, CallbackState, Logs, TrainingModel, TrainingProgress } from '../types.js';
import { formatFilepath } from './format-filepath.js';
import { monitorDirection } from './monitor.js';

export const ModelCheckpointConfig = z.strictObject({
  /** Where to save; `{epoch}` (from 1), `{batch}` and `{<log key>}` fields as Python formats them: 'ckpt-{epoch:02d}-{val_loss:.2f}'. Required. */
  filepath: z.string().min(1),
  /** Log key compared for saveBestOnly. Default: 'val_loss'. */
  monitor: z.string().min(1).default('val_loss'),
  /** 'min', 'max', or 'auto' (from the monitor's name). Default: 'auto'. */
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
  /** Save only when the monitored value beats the best so far. Default: false. */
  saveBestOnly: z.boolean().default(false),
  /** Save without the optimizer's state and the training progress (smaller; such a save cannot resume). Default: false. */
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
export const ModelCheckpointState = z.strictObject({
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
  private warned = false;

  constructor(config: z.input<typeof ModelCheckpointConfig>) {
    this.config = parseConfig('ModelCheckpoint', ModelCheckpointConfig, config);
    this.direction = monitorDirection('ModelCheckpoint', this.config.monitor, this.config.mode);
    this.best = this.config.initialValueThreshold;
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

  private async maybeSave(epoch: number, logs: Logs, resumeEpoch: number): Promise<void> {
    if (this.config.saveBestOnly) {
      const current = logs[this.config.monitor];
      if (current === undefined || Number.isNaN(current)) {
        if (!this.warned) {
          console.warn(
            `ModelCheckpoint: cannot save the best model, monitor '${this.config.monitor}' is not in the logs; available: ${Object.keys(logs).join(', ')}`,
          );
          this.warned = true;
        }
        return;
      }
      if (!this.improves(current)) return;
      this.best = current;
    }
    await this.save(epoch, logs, resumeEpoch);
  }

  private async save(epoch: number, logs: Logs, resumeEpoch: number): Promise<void> {
    const model = this.model;
    if (model?.save === undefined) {
      throw new BrickError('ModelCheckpoint: the model being trained has no save method', 'ModelCheckpoint');
    }
    const path = formatFilepath('ModelCheckpoint', this.config.filepath, { ...logs, epoch: epoch + 1 });
    this.batchesSinceSave = 0;
    const weightsOnly = this.config.saveWeightsOnly;
    const trainingState = weightsOnly ? undefined : this.progress?.snapshot(resumeEpoch);
    await model.save(path, { includeOptimizer: !weightsOnly, ...(trainingState ? { trainingState } : {}) });
    this.saved.push(path);
    if (this.config.verbose) console.log(`Epoch ${epoch + 1}: saved the model to ${path}`);
  }
}
