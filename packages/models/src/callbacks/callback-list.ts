import type { Callback, Logs, TrainingModel, TrainParams } from '../types.js';

/**
 * Calls each hook on every callback in order, awaiting any promise before the next callback runs, so
 * the training loop calls one object instead of looping itself.
 * @example
 * const list = new CallbackList([history, new EarlyStopping({ patience: 3 })]);
 * list.setModel(model);
 * await list.onEpochEnd(0, { loss: 0.5, val_loss: 0.6 });
 */
export class CallbackList implements Callback {
  readonly callbacks: Callback[];

  constructor(callbacks: Callback[] = []) {
    this.callbacks = [...callbacks];
  }

  /** True when any callback wants the batch loss read back each batch. */
  get needsBatchLoss(): boolean {
    return this.callbacks.some((c) => c.needsBatchLoss === true);
  }

  append(callback: Callback): void {
    this.callbacks.push(callback);
  }

  setModel(model: TrainingModel): void {
    for (const c of this.callbacks) c.setModel?.(model);
  }

  setParams(params: TrainParams): void {
    for (const c of this.callbacks) c.setParams?.(params);
  }

  async onTrainBegin(logs?: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin?.(logs);
  }

  async onTrainEnd(logs?: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainEnd?.(logs);
  }

  async onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onEpochBegin?.(epoch, logs);
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onEpochEnd?.(epoch, logs);
  }

  async onBatchBegin(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onBatchBegin?.(batch, logs);
  }

  async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onBatchEnd?.(batch, logs);
  }
}
