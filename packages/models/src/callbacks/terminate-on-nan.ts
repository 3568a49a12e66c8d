import { configObject } from '@brickml/core';
import type { Callback, Logs, TrainingModel } from '../types.js';

/** TerminateOnNaN has no settings: its spec is `{ className: 'TerminateOnNaN' }`. */
export const TerminateOnNaNConfig = configObject({});

/**
 * Stops training at the first batch whose loss is NaN or infinite. It asks for the batch loss
 * (`needsBatchLoss`), which costs one device read per batch; the training loop skips that batch's update.
 * Batches and epochs are counted from 1 in the message, as the progress bar shows them.
 * @example
 * callbacks: [new TerminateOnNaN()]
 */
export class TerminateOnNaN implements Callback {
  readonly needsBatchLoss = true;
  private model?: TrainingModel;
  private epoch = 0;

  constructor(private readonly print: (line: string) => void = console.log) {}

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs.loss;
    if (loss === undefined || Number.isFinite(loss) || this.model === undefined) return;
    this.print(`Batch ${batch + 1} of epoch ${this.epoch + 1}: invalid loss, terminating training`);
    this.model.stopTraining = true;
  }
}
