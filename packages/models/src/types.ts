import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { TrainingStateSchema } from './callbacks/fit-progress.js';

/** Per-epoch (or per-evaluation) numbers: { loss, accuracy, val_loss, val_accuracy, lr? }. */
export type Logs = Record<string, number>;

/**
 * A streaming metric: `update` accumulates on the device (no read back), `result` reads once.
 * Correct over a whole epoch, not an average of batch averages.
 */
export interface Metric {
  /** Key in logs and History: 'accuracy', 'mse', 'precision', 'auc'. */
  readonly name: string;
  /** `sampleWeight`: one per example [N], or one per position of a sequence output ([N, T], from a mask). */
  update(yTrue: tf.Tensor, yPred: tf.Tensor, sampleWeight?: tf.Tensor): void;
  result(): Promise<number>;
  reset(): void;
  dispose(): void;
}

/** What callbacks may touch on the model being trained. */
export interface TrainingModel {
  stopTraining: boolean;
  readonly optimizer: { currentLearningRate(): number; setLearningRate(lr: number): void };
  /** Copies of every weight (params and state), in a fixed order. Caller owns them. */
  getWeights(): tf.Tensor[];
  /** Assigns copies of the given tensors to the weights, in getWeights' order. */
  setWeights(weights: tf.Tensor[]): void;
  /** Saves the model (see Model.save); checkpoint callbacks call it. */
  save?(
    target: string,
    options?: { includeOptimizer?: boolean; trainingState?: Record<string, unknown> },
  ): Promise<unknown>;
}

/** A callback's state as JSON: `className` names the callback it came from, the rest is its own. */
export type CallbackState = { className: string } & Record<string, unknown>;

/**
 * What resuming a fit needs besides the weights and the optimizer's state, as JSON: it is what checkpoints
 * save as the model's `trainingState`, and what fit's `trainingState` option continues from. Its fields are
 * documented on TrainingStateSchema, which it is derived from (the epoch to continue from, the generators'
 * positions, the callbacks' states).
 */
export type TrainingState = z.output<typeof TrainingStateSchema>;

/** fit's side of saving and resuming, handed to callbacks that save or restore progress. */
export interface TrainingProgress {
  /** The state to save now for a run that continues at `epoch`: the generator and every callback's state. */
  snapshot(epoch: number): TrainingState;
  /**
   * Continue from `state` (a TrainingState, or JSON checked against TrainingStateSchema: a named error before
   * anything changes): its generators and callback states are put back and its epoch starts the loop.
   * Returns the state as checked.
   */
  resume(state: Record<string, unknown>): TrainingState;
}

export interface TrainParams {
  epochs: number;
  initialEpoch: number;
  /** Batches per epoch; null when a dataset does not say. */
  steps: number | null;
  /** Examples per epoch; null when a dataset does not say. */
  samples: number | null;
  batchSize: number;
  verbose: 0 | 1 | 2;
  /** Names of the logged values: ['loss', 'accuracy', 'val_loss', ...]. */
  metrics: string[];
}

/**
 * Hooks into fit, Keras-style. Any hook may return a Promise, which fit awaits. Batch hooks get only
 * `{ batch, size }`: per-batch values stay on the device unless a callback asks for them with
 * `needsBatchLoss` (then `loss` is read each batch, at the cost of a GPU→CPU sync).
 */
export interface Callback {
  readonly needsBatchLoss?: boolean;
  setModel?(model: TrainingModel): void;
  setParams?(params: TrainParams): void;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** State that lasts across epochs (counters, best values), as JSON, saved with checkpoints. */
  getState?(): CallbackState;
  /** Puts back what getState returned; a resumed fit calls it after every onTrainBegin. */
  setState?(state: CallbackState): void;
  /**
   * True when the last onTrainEnd put back weights other than the last epoch's (EarlyStopping's best
   * weights): the fit's TrainingState then no longer matches the weights, and History.trainingState is null.
   */
  readonly restoredWeights?: boolean;
  /**
   * Makes this a callback that saves or restores training progress (ModelCheckpoint, BackupAndRestore):
   * fit hands it its TrainingProgress and runs its hooks after every other callback's, so a snapshot at
   * an epoch's end holds the states the other callbacks reached in that epoch.
   */
  setProgress?(progress: TrainingProgress): void;
}
