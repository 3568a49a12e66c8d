import type * as tf from '@tensorflow/tfjs-core';

/** A learning rate as a function of the step count (0-based `iterations`). */
export interface Schedule {
  readonly className: string;
  readonly config: Record<string, unknown>;
  at(step: number): number;
  toSpec(): { className: string; config: Record<string, unknown> };
}

/** Per-variable slots (Adam's m and v, ...) read out to plain arrays, plus the step count. */
export interface OptimizerState {
  className: string;
  iterations: number;
  /** Keyed by variable name, then slot name. */
  slots: Record<string, Record<string, { shape: number[]; values: number[] }>>;
}

/**
 * The optimizer contract: `apply` takes one step for `params` from `grads` (same order), updating the
 * variables with `assign`. It may be called inside a tf.tidy; slot variables are created lazily per
 * variable on first use. It disposes nothing it did not create.
 */
export interface Optimizer {
  readonly className: string;
  readonly config: Record<string, unknown>;
  /** Steps taken so far. */
  readonly iterations: number;
  apply(params: tf.Variable[], grads: tf.Tensor[]): void;
  /** The learning rate the next step uses (a schedule evaluated at `iterations`). */
  currentLearningRate(): number;
  /** Replaces the learning rate (and any schedule) with a constant: used by ReduceLROnPlateau. */
  setLearningRate(lr: number): void;
  getState(): Promise<OptimizerState>;
  /** Restores slots, checking each variable's shape. */
  setState(state: OptimizerState, params: tf.Variable[]): void;
  toSpec(): { className: string; config: Record<string, unknown> };
  dispose(): void;
}
