import { BrickError } from '@brickml/core';
import type { Callback, Logs, TrainingModel } from '../types.js';

/** `(epoch, lr) => newLr`, epoch counted from 0; may be async. */
export type LearningRateSchedule = (epoch: number, lr: number) => number | Promise<number>;

/**
 * Sets the optimizer's learning rate at the start of each epoch from a schedule, and records it as
 * `learning_rate` in the epoch logs (Keras LearningRateScheduler).
 * @example
 * new LearningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * Math.exp(-0.1)))
 */
export class LearningRateScheduler implements Callback {
  private model?: TrainingModel;

  constructor(readonly schedule: LearningRateSchedule) {
    if (typeof schedule !== 'function') {
      throw new BrickError(
        `LearningRateScheduler: schedule must be a function (epoch, lr) => lr, received ${typeof schedule}`,
        'LearningRateScheduler',
      );
    }
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  private get optimizer(): TrainingModel['optimizer'] {
    if (this.model === undefined) {
      throw new BrickError('LearningRateScheduler: setModel was not called before training', 'LearningRateScheduler');
    }
    return this.model.optimizer;
  }

  async onEpochBegin(epoch: number): Promise<void> {
    const lr = await this.schedule(epoch, this.optimizer.currentLearningRate());
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new BrickError(
        `LearningRateScheduler: the schedule must return a finite non-negative number, received ${String(lr)} at epoch ${epoch}`,
        'LearningRateScheduler',
      );
    }
    this.optimizer.setLearningRate(lr);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    logs.learning_rate = this.optimizer.currentLearningRate();
  }
}
