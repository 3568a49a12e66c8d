/**
 * What a fit must put back to continue exactly where a saved run stood: the epoch, the generators (the
 * global one: shuffling, dropout, noise; and those bricks with a `seed` hold) and the state of every callback
 * that keeps one. The weights and the optimizer's slots travel in the saved model itself.
 */
import { BrickError, nonNegativeInt, parseConfig, Random, rng } from '@brickml/core';
import { z } from 'zod';
import type { Callback, CallbackState, TrainingProgress, TrainingState } from '../types.js';

const RandomStateSchema = z.strictObject({
  /** mulberry32's counter. */
  s: z
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  /** The pending Box-Muller normal, or null. */
  spare: z.number().nullable(),
});

/** The zod form of TrainingState, checked before a fit resumes from it. */
export const TrainingStateSchema = z.strictObject({
  /** The epoch to continue from: epochs finished, counted from 0. */
  epoch: nonNegativeInt(),
  /** The global generator's position: Random.getState(). */
  rng: RandomStateSchema,
  /** The generators bricks hold of their own (a `seed` in their config), by `<brick>/<field>`. Default: none. */
  streams: z.record(z.string(), RandomStateSchema).default({}),
  /** getState() of each callback that has one, in the order fit was given the callbacks. */
  callbacks: z.array(z.looseObject({ className: z.string() })),
});

/** Callbacks that keep state, in the order given. */
const stateful = (callbacks: readonly Callback[]) =>
  callbacks.filter(
    (c): c is Callback & Required<Pick<Callback, 'getState' | 'setState'>> => !!c.getState && !!c.setState,
  );

const isBrick = (v: unknown): v is { name: string } =>
  typeof v === 'object' && v !== null && typeof (v as { forward?: unknown }).forward === 'function' && 'name' in v;

/**
 * Every generator the bricks hold of their own, by `<brick name>/<field>` (a wrapper's inner brick behind the
 * wrapper's name): a brick with a `seed` draws from its own stream instead of the global one.
 */
export function brickStreams(bricks: readonly object[]): Map<string, Random> {
  const streams = new Map<string, Random>();
  const seen = new Set<object>();
  const walk = (brick: object, prefix: string) => {
    if (seen.has(brick)) return;
    seen.add(brick);
    for (const [field, value] of Object.entries(brick)) {
      if (value instanceof Random) streams.set(`${prefix}/${field}`, value);
      else if (isBrick(value)) walk(value, `${prefix}/${value.name}`);
    }
  };
  for (const b of bricks) walk(b, (b as { name: string }).name);
  return streams;
}

/**
 * The TrainingProgress of one fit: snapshots for checkpoints, and the state a resume asked for, put back
 * by the loop once every callback's onTrainBegin has run (onTrainBegin resets a callback's counters).
 */
export class FitProgress implements TrainingProgress {
  private pending: z.output<typeof TrainingStateSchema> | null = null;

  constructor(
    private readonly who: string,
    private readonly callbacks: readonly Callback[],
    /** The bricks of the model being trained. */
    private readonly bricks: () => readonly object[] = () => [],
  ) {}

  snapshot(epoch: number): TrainingState {
    const streams = [...brickStreams(this.bricks())].map(([key, r]) => [key, r.getState()]);
    return {
      epoch,
      rng: rng().getState(),
      ...(streams.length > 0 && { streams: Object.fromEntries(streams) }),
      callbacks: stateful(this.callbacks).map((c) => c.getState()),
    };
  }

  resume(state: TrainingState | Record<string, unknown>): void {
    const { trainingState: parsed } = parseConfig(this.who, z.object({ trainingState: TrainingStateSchema }), {
      trainingState: state,
    });
    const fail = (message: string): never => {
      throw new BrickError(`${this.who}: ${message}`, this.who);
    };
    const names = (list: readonly CallbackState[]) => `[${list.map((c) => c.className).join(', ')}]`;
    const held = parsed.callbacks as CallbackState[];
    const current = stateful(this.callbacks).map((c) => c.getState());
    if (held.length !== current.length || held.some((c, i) => c.className !== current[i]?.className)) {
      fail(
        `the training state holds the states of ${names(held)}, but the callbacks that keep state are ${names(current)}; pass the same callbacks, in the same order, as the run that saved it`,
      );
    }
    const heldStreams = Object.keys(parsed.streams).sort();
    const own = [...brickStreams(this.bricks()).keys()].sort();
    if (heldStreams.join() !== own.join()) {
      fail(
        `the training state holds the generators of [${heldStreams.join(', ')}], but the model's bricks hold [${own.join(', ')}]`,
      );
    }
    this.pending = parsed;
  }

  /** Puts back the generators and the callbacks' states of a pending resume; returns its epoch, or null. */
  restore(): number | null {
    const state = this.pending;
    if (state === null) return null;
    this.pending = null;
    stateful(this.callbacks).forEach((c, i) => {
      c.setState(state.callbacks[i] as CallbackState);
    });
    rng().setState(state.rng);
    for (const [key, r] of brickStreams(this.bricks()))
      r.setState(state.streams[key] as ReturnType<Random['getState']>);
    return state.epoch;
  }
}
