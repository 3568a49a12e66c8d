/**
 * What a fit must put back to continue exactly where a saved run stood: the epoch, the global generator
 * (shuffling, dropout, noise) and the state of every callback that keeps one. The weights and the
 * optimizer's slots travel in the saved model itself.
 */
import { BrickError, nonNegativeInt, parseConfig, rng } from '@brickml/core';
import { z } from 'zod';
import type { Callback, CallbackState, TrainingProgress, TrainingState } from '../types.js';

/** The zod form of TrainingState, checked before a fit resumes from it. */
export const TrainingStateSchema = z.strictObject({
  /** The epoch to continue from: epochs finished, counted from 0. */
  epoch: nonNegativeInt(),
  /** The global generator's position: Random.getState(). */
  rng: z.strictObject({
    /** mulberry32's counter. */
    s: z
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    /** The pending Box-Muller normal, or null. */
    spare: z.number().nullable(),
  }),
  /** getState() of each callback that has one, in the order fit was given the callbacks. */
  callbacks: z.array(z.looseObject({ className: z.string() })),
});

/** Callbacks that keep state, in the order given. */
const stateful = (callbacks: readonly Callback[]) =>
  callbacks.filter(
    (c): c is Callback & Required<Pick<Callback, 'getState' | 'setState'>> => !!c.getState && !!c.setState,
  );

/**
 * The TrainingProgress of one fit: snapshots for checkpoints, and the state a resume asked for, put back
 * by the loop once every callback's onTrainBegin has run (onTrainBegin resets a callback's counters).
 */
export class FitProgress implements TrainingProgress {
  private pending: TrainingState | null = null;

  constructor(
    private readonly who: string,
    private readonly callbacks: readonly Callback[],
  ) {}

  snapshot(epoch: number): TrainingState {
    return {
      epoch,
      rng: rng().getState(),
      callbacks: stateful(this.callbacks).map((c) => c.getState()),
    };
  }

  resume(state: TrainingState | Record<string, unknown>): void {
    const { trainingState: parsed } = parseConfig(this.who, z.object({ trainingState: TrainingStateSchema }), {
      trainingState: state,
    });
    const names = (list: readonly CallbackState[]) => `[${list.map((c) => c.className).join(', ')}]`;
    const held = parsed.callbacks as CallbackState[];
    const current = stateful(this.callbacks).map((c) => c.getState());
    if (held.length !== current.length || held.some((c, i) => c.className !== current[i]?.className)) {
      throw new BrickError(
        `${this.who}: the training state holds the states of ${names(held)}, but the callbacks that keep state are ${names(current)}; pass the same callbacks, in the same order, as the run that saved it`,
        this.who,
      );
    }
    this.pending = parsed as TrainingState;
  }

  /** Puts back the generator and the callbacks' states of a pending resume; returns its epoch, or null. */
  restore(): number | null {
    const state = this.pending;
    if (state === null) return null;
    this.pending = null;
    stateful(this.callbacks).forEach((c, i) => {
      c.setState(state.callbacks[i] as CallbackState);
    });
    rng().setState(state.rng);
    return state.epoch;
  }
}
