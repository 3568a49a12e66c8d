/**
 * BackupAndRestore (Keras): a killed fit, run again with the same script, continues where it stopped. The
 * backup is a saved model (weights, optimizer state) holding the fit's TrainingState (epoch, generator,
 * callback states); a fit that ends normally removes it.
 */
import { BrickError, configObject, parseConfig, positiveInt } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Model } from '../model.js';
import type { Callback, Logs, TrainingProgress } from '../types.js';

export const BackupAndRestoreConfig = configObject({
  /** Where the backup lives: a folder in Node, or a URL such as 'indexeddb://run'. Deleting a folder backup removes only the files a save writes there (model.json, weights.<hex>.bin, leftover temporary files); anything else, and the folder, stay. Required. */
  backupDir: z.string().min(1),
  /** 'epoch' (at each epoch's end) or a number of batches between backups; a batch backup resumes at the start of its epoch. Default: 'epoch'. */
  saveFreq: z.union([z.literal('epoch'), positiveInt()]).default('epoch'),
  /** Remove the backup when training ends normally. Default: true. */
  deleteCheckpoint: z.boolean().default(true),
});

const isUrl = (target: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !target.startsWith('file://');

/** What a folder save writes (see io/folder-handler.ts): the weights, and the temporary files of a killed write. */
const SAVED_FILE = /^(?:weights\.[0-9a-f]{16}\.bin|\.(?:model\.json|weights\.[0-9a-f]{16}\.bin)\.[0-9a-f]{12}\.tmp)$/;

/**
 * Backs up the model at each epoch's end and, when a backup exists as training begins, restores the
 * weights, the optimizer's state, the epoch, the generator and the callbacks' states from it, so the run
 * continues exactly as if it had not stopped. Give fit the same callbacks, in the same order, as the run
 * that made the backup.
 * @example
 * await model.fit(x, y, { epochs: 20, callbacks: [new BackupAndRestore({ backupDir: 'backup' })] });
 */
export class BackupAndRestore implements Callback {
  readonly config: z.output<typeof BackupAndRestoreConfig>;
  /** The epoch the last fit resumed at, or null when it started afresh. */
  resumedAt: number | null = null;
  private model?: Model;
  private progress?: TrainingProgress;
  private epoch = 0;
  private batchesSinceSave = 0;

  constructor(config: z.input<typeof BackupAndRestoreConfig>) {
    this.config = parseConfig('BackupAndRestore', BackupAndRestoreConfig, config);
  }

  /** fit hands it the brickml Model it trains (the backup is that model, saved and loaded). */
  setModel(model: Model): void {
    this.model = model;
  }

  setProgress(progress: TrainingProgress): void {
    this.progress = progress;
  }

  private get target(): { model: Model; progress: TrainingProgress } {
    const { model, progress } = this;
    if (model === undefined || progress === undefined) {
      throw new BrickError(
        'BackupAndRestore: it works inside fit, which hands it the model and its progress',
        'BackupAndRestore',
      );
    }
    return { model, progress };
  }

  private async exists(): Promise<boolean> {
    const dir = this.config.backupDir;
    if (isUrl(dir)) return dir in (await tf.io.listModels());
    const { fileSystem } = await import('../io/file-system.js');
    const fs = fileSystem('BackupAndRestore');
    return (await fs.kind(fs.join(dir.replace(/^file:\/\//, ''), 'model.json'))) === 'file';
  }

  async onTrainBegin(): Promise<void> {
    const { model, progress } = this.target;
    this.batchesSinceSave = 0;
    this.resumedAt = null;
    if (!(await this.exists())) return;
    // Imported here: saving imports the model, whose training loop imports the callbacks.
    const { loadModel } = await import('../io/save-load.js');
    const { prepareTrainingCopy } = await import('./copy-training.js');
    const backup = await loadModel(this.config.backupDir);
    try {
      const state = backup.trainingState;
      if (state === null) {
        throw new BrickError(
          `BackupAndRestore: the model in ${this.config.backupDir} holds no training state; it is not a backup`,
          'BackupAndRestore',
        );
      }
      // Every check (the weights, the optimizer, the state) before anything changes.
      const copy = await prepareTrainingCopy('BackupAndRestore', backup, model);
      const { epoch } = progress.resume(state);
      copy();
      this.resumedAt = epoch;
    } finally {
      backup.dispose();
    }
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  async onBatchEnd(): Promise<void> {
    if (this.config.saveFreq === 'epoch') return;
    this.batchesSinceSave += 1;
    if (this.batchesSinceSave < this.config.saveFreq) return;
    this.batchesSinceSave = 0;
    await this.save(this.epoch);
  }

  async onEpochEnd(epoch: number, _logs: Logs): Promise<void> {
    if (this.config.saveFreq === 'epoch') await this.save(epoch + 1);
  }

  private async save(resumeEpoch: number): Promise<void> {
    const { model, progress } = this.target;
    await model.save(this.config.backupDir, { trainingState: progress.snapshot(resumeEpoch) });
  }

  async onTrainEnd(): Promise<void> {
    if (!this.config.deleteCheckpoint || !(await this.exists())) return;
    const dir = this.config.backupDir;
    if (isUrl(dir)) {
      await tf.io.removeModel(dir);
      return;
    }
    const { fileSystem } = await import('../io/file-system.js');
    const fs = fileSystem('BackupAndRestore');
    const path = dir.replace(/^file:\/\//, '');
    // model.json first: a kill part-way leaves no backup rather than half of one.
    await fs.remove(fs.join(path, 'model.json'));
    for (const name of await fs.readdir(path)) if (SAVED_FILE.test(name)) await fs.remove(fs.join(path, name));
  }
}
