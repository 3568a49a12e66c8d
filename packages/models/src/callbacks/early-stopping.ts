/**
 * EarlyStopping: an epoch improves when (current - minDelta) beats the best so far (below it in
 * 'min' mode, above it in 'max' mode, minDelta's sign following the mode); training stops once
 * `patience` epochs in a row brought no improvement (Keras 3 semantics).
 */
import { configObject, parseConfig } from '@brickml/core';
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Callback, CallbackState, Logs, TrainingModel } from '../types.js';
import { monitorDirection } from './monitor.js';

export const EarlyStoppingConfig = configObject({
  /** Log key to watch. Default: 'val_loss'. */
  monitor: z.string().min(1).default('val_loss'),
  /** Smallest change that counts as an improvement (its absolute value is used). Default: 0. */
  minDelta: z.number().default(0),
  /** Epochs without improvement before stopping. Default: 0. */
  patience: z.int().nonnegative().default(0),
  /** 'min', 'max', or 'auto' (from the monitor's name). Default: 'auto'. */
  mode: z.enum(['auto', 'min', 'max']).default('auto'),
  /** Value the monitor must beat for patience to reset. Default: none. */
  baseline: z.number().optional(),
  /** Put back the weights of the best epoch when training ends (fit's History then has no trainingState, unless the best was the last epoch). Default: false. */
  restoreBestWeights: z.boolean().default(false),
  /** Epochs to let pass before watching. Default: 0. */
  startFromEpoch: z.int().nonnegative().default(0),
});

/** What EarlyStopping carries across a resume (not the best weights: see the class). */
export const EarlyStoppingState = configObject({
  /** Always 'EarlyStopping'. */
  className: z.literal('EarlyStopping'),
  /** Best monitored value so far; null before the first. */
  best: z.number().nullable(),
  /** Epoch of the best value. */
  bestEpoch: z.int().nonnegative(),
  /** Epochs since the last improvement. */
  wait: z.int().nonnegative(),
  /** Epoch at which training was stopped; 0 while it runs. */
  stoppedEpoch: z.int().nonnegative(),
});

/**
 * Stops training when a monitored value has stopped improving. Its counters and best value resume with a
 * checkpoint (getState/setState); the best epoch's weights do not, so after a resume restoreBestWeights
 * puts back the best weights seen since the resume.
 * @example
 * await model.fit(x, y, { epochs: 100, validationSplit: 0.2,
 *   callbacks: [new EarlyStopping({ patience: 3, restoreBestWeights: true })] });
 */
export class EarlyStopping implements Callback {
  readonly config: z.output<typeof EarlyStoppingConfig>;
  /** Epoch at which training was stopped (0 when it ran to the end). */
  stoppedEpoch = 0;
  bestEpoch = 0;
  best: number | undefined;
  wait = 0;
  /**
   * True when the last fit ended with the weights of an earlier epoch put back (restoreBestWeights): that
   * fit's History.trainingState is then null, since it would pair these weights with the last epoch's
   * optimizer state and generators.
   */
  restoredWeights = false;
  private model?: TrainingModel;
  private bestWeights: tf.Tensor[] | undefined;
  /** The epoch whose weights bestWeights holds, and the last epoch seen. */
  private keptEpoch = -1;
  private lastEpoch = -1;
  private readonly direction: 'min' | 'max';
  private warned = false;

  constructor(config: z.input<typeof EarlyStoppingConfig> = {}) {
    this.config = parseConfig('EarlyStopping', EarlyStoppingConfig, config);
    this.direction = monitorDirection('EarlyStopping', this.config.monitor, this.config.mode);
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  private improves(current: number, reference: number | undefined): boolean {
    if (reference === undefined) return true;
    const delta = Math.abs(this.config.minDelta);
    return this.direction === 'min' ? current + delta < reference : current - delta > reference;
  }

  private keepWeights(epoch: number): void {
    if (this.model === undefined) return;
    this.dropWeights();
    this.bestWeights = this.model.getWeights();
    this.keptEpoch = epoch;
  }

  private dropWeights(): void {
    for (const w of this.bestWeights ?? []) w.dispose();
    this.bestWeights = undefined;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.best = undefined;
    this.restoredWeights = false;
    this.lastEpoch = -1;
    this.dropWeights();
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.lastEpoch = epoch;
    const current = logs[this.config.monitor];
    if (current === undefined) {
      if (!this.warned) {
        console.warn(
          `EarlyStopping: monitor '${this.config.monitor}' is not in the logs; available: ${Object.keys(logs).join(', ')}`,
        );
        this.warned = true;
      }
      return;
    }
    if (epoch < this.config.startFromEpoch) return;
    if (this.config.restoreBestWeights && this.bestWeights === undefined) this.keepWeights(epoch);
    this.wait += 1;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.config.restoreBestWeights) this.keepWeights(epoch);
      if (this.config.baseline === undefined || this.improves(current, this.config.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.config.patience && epoch > 0 && this.model !== undefined) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  getState(): CallbackState {
    const { best, bestEpoch, wait, stoppedEpoch } = this;
    return { className: 'EarlyStopping', best: best ?? null, bestEpoch, wait, stoppedEpoch };
  }

  setState(state: CallbackState): void {
    const s = parseConfig('EarlyStopping.setState', EarlyStoppingState, state);
    this.best = s.best ?? undefined;
    this.bestEpoch = s.bestEpoch;
    this.wait = s.wait;
    this.stoppedEpoch = s.stoppedEpoch;
  }

  onTrainEnd(): void {
    if (this.config.restoreBestWeights && this.bestWeights !== undefined && this.model !== undefined) {
      this.model.setWeights(this.bestWeights);
      this.restoredWeights = this.keptEpoch !== this.lastEpoch;
    }
    this.dropWeights();
  }
}
