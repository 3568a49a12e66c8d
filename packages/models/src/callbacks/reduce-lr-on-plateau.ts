/**
 * ReduceLROnPlateau: when the monitor has not improved by more than minDelta for `patience` epochs,
 * lr ← max(lr·factor, minLr), then wait `cooldown` epochs before counting again (Keras semantics).
 */
import { BrickError, configObject, parseConfig } from '@brickml/core';
import { z } from 'zod';
import type { Callback, CallbackState, Logs, TrainingModel } from '../types.js';
import { monitorDirection } from './monitor.js';

export const ReduceLROnPlateauConfig = configObject({
  /** Log key to watch. Default: 'val_loss'. */
  monitor: z.string().min(1).default('val_loss'),
  /** Multiplier applied to the learning rate, below 1. Default: 0.1. */
  factor: z.number().positive().lt(1, { error: 'must be below 1' }).default(0.1),
  /** Epochs without improvement before reducing. Default: 10. */
  patience: z.int().nonnegative().default(10),
  /** 'min', 'max', or 'auto' (from the monitor's name). Default: 'auto'. */
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
  /** Smallest change that counts as an improvement. Default: 1e-4. */
  minDelta: z.number().nonnegative().default(1e-4),
  /** Epochs to wait after a reduction before counting again. Default: 0. */
  cooldown: z.int().nonnegative().default(0),
  /** Floor of the learning rate. Default: 0. */
  minLr: z.number().nonnegative().default(0),
});

/** What ReduceLROnPlateau carries across a resume. */
export const ReduceLROnPlateauState = configObject({
  /** Always 'ReduceLROnPlateau'. */
  className: z.literal('ReduceLROnPlateau'),
  /** Best monitored value so far; null before the first. */
  best: z.number().nullable(),
  /** Epochs since the last improvement. */
  wait: z.int().nonnegative(),
  /** Epochs of cooldown left. */
  cooldownCounter: z.int().nonnegative(),
  /** The learning rate this callback last set; null if it has not reduced it. */
  learningRate: z.number().nonnegative().nullable(),
});

/**
 * Lowers the learning rate when a monitored value stops improving. Adds `learning_rate` to the epoch logs.
 * @example
 * callbacks: [new ReduceLROnPlateau({ factor: 0.5, patience: 2 })]
 */
export class ReduceLROnPlateau implements Callback {
  readonly config: z.output<typeof ReduceLROnPlateauConfig>;
  best = Number.NaN;
  wait = 0;
  cooldownCounter = 0;
  /** The learning rate this callback last set, or null. */
  learningRate: number | null = null;
  private model?: TrainingModel;
  private readonly direction: 'min' | 'max';

  constructor(config: z.input<typeof ReduceLROnPlateauConfig> = {}) {
    this.config = parseConfig('ReduceLROnPlateau', ReduceLROnPlateauConfig, config);
    this.direction = monitorDirection('ReduceLROnPlateau', this.config.monitor, this.config.mode);
    this.reset();
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  private reset(): void {
    this.best = this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.wait = 0;
    this.cooldownCounter = 0;
    this.learningRate = null;
  }

  getState(): CallbackState {
    const { best, wait, cooldownCounter, learningRate } = this;
    return {
      className: 'ReduceLROnPlateau',
      best: Number.isFinite(best) ? best : null,
      wait,
      cooldownCounter,
      learningRate,
    };
  }

  /** Puts back the counters and the best value, and the learning rate this callback had set. */
  setState(state: CallbackState): void {
    const s = parseConfig('ReduceLROnPlateau.setState', ReduceLROnPlateauState, state);
    this.reset();
    if (s.best !== null) this.best = s.best;
    this.wait = s.wait;
    this.cooldownCounter = s.cooldownCounter;
    this.learningRate = s.learningRate;
    if (s.learningRate !== null) this.model?.optimizer.setLearningRate(s.learningRate);
  }

  private improves(current: number): boolean {
    const d = this.config.minDelta;
    return this.direction === 'min' ? current < this.best - d : current > this.best + d;
  }

  onTrainBegin(): void {
    this.reset();
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const model = this.model;
    if (model === undefined)
      throw new BrickError('ReduceLROnPlateau: setModel was not called before training', 'ReduceLROnPlateau');
    const current = logs[this.config.monitor];
    if (current === undefined) {
      console.warn(
        `ReduceLROnPlateau: monitor '${this.config.monitor}' is not in the logs; available: ${Object.keys(logs).join(', ')}`,
      );
    } else {
      if (this.cooldownCounter > 0) {
        this.cooldownCounter -= 1;
        this.wait = 0;
      }
      if (this.improves(current)) {
        this.best = current;
        this.wait = 0;
      } else if (this.cooldownCounter === 0) {
        this.wait += 1;
        if (this.wait >= this.config.patience) {
          const lr = model.optimizer.currentLearningRate();
          if (lr > Math.fround(this.config.minLr)) {
            this.learningRate = Math.max(lr * this.config.factor, this.config.minLr);
            model.optimizer.setLearningRate(this.learningRate);
            this.cooldownCounter = this.config.cooldown;
            this.wait = 0;
          }
        }
      }
    }
    logs.learning_rate = model.optimizer.currentLearningRate();
  }
}
