/**
 * What a fit must put back to continue exactly where a saved run stood: the epoch, the generators (the
 * global one: shuffling, dropout, noise; and those bricks with a `seed` hold) and the state of every callback
 * that keeps one. The weights and the optimizer's slots travel in the saved model itself.
 */
import { BrickError, configObject, nonNegativeInt, parseConfig, Random, type RandomState, rng } from '@brickml/core';
import { z } from 'zod';
import { isNestedModel, type Member } from '../engine/executor.js';
import type { Callback, CallbackState, TrainingProgress, TrainingState } from '../types.js';

const RandomStateSchema = configObject({
  /** mulberry32's counter. */
  s: z
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  /** The pending Box-Muller normal, or null. */
  spare: z.number().nullable(),
});

/** The zod form of TrainingState, checked before a fit resumes from it. */
export const TrainingStateSchema = configObject({
  /** The epoch to continue from: epochs finished, counted from 0. */
  epoch: nonNegativeInt(),
  /** The global generator's position: Random.getState(). */
  rng: RandomStateSchema,
  /**
   * The generators bricks hold of their own (a `seed` in their config), by path: `<brick>/<field>`, behind
   * the names of the nested models that hold the brick (`tower/drop/stream`) and of a wrapper around it
   * (`bi/forward_gru/stream`). Default: none.
   */
  streams: z.record(z.string(), RandomStateSchema).default({}),
  /** getState() of each callback that has one, in the order fit was given the callbacks. */
  callbacks: z.array(z.looseObject({ className: z.string() })),
});

/**
 * fit's and fitDataset's `trainingState` option: a History's `trainingState`, or the JSON a loaded model
 * carries (`model.trainingState`), checked against TrainingStateSchema when the fit begins.
 */
export const TrainingStateOption = z.record(z.string(), z.unknown()).nullable().optional();

/** Callbacks that keep state, in the order given. */
const stateful = (callbacks: readonly Callback[]) =>
  callbacks.filter(
    (c): c is Callback & Required<Pick<Callback, 'getState' | 'setState'>> => !!c.getState && !!c.setState,
  );

/** A brick a wrapper holds (Bidirectional's forwardLayer, TimeDistributed's layer). */
const isBrick = (v: unknown): v is { name: string } =>
  typeof v === 'object' && v !== null && typeof (v as { forward?: unknown }).forward === 'function' && 'name' in v;

/**
 * Every generator the bricks of `members` hold of their own, by path: a brick with a `seed` draws from its
 * own stream instead of the global one. A brick's name is unique only among the members of one model, so
 * the path holds the names of the nested models around it (`tower/drop/stream`), as weights are named, and
 * a wrapper's inner brick sits behind the wrapper's name.
 */
export function brickStreams(members: readonly Member[]): Map<string, Random> {
  const streams = new Map<string, Random>();
  const seen = new Set<object>();
  const brick = (b: object, path: string) => {
    for (const [field, value] of Object.entries(b)) {
      if (value instanceof Random) streams.set(`${path}/${field}`, value);
      else if (isBrick(value) && !seen.has(value)) {
        seen.add(value);
        brick(value, `${path}/${value.name}`);
      }
    }
  };
  const model = (list: readonly Member[], prefix: string) => {
    for (const m of list) {
      if (seen.has(m)) continue;
      seen.add(m);
      if (isNestedModel(m)) model(m.executor.members(), `${prefix}${m.name}/`);
      else brick(m, `${prefix}${m.name}`);
    }
  };
  model(members, '');
  return streams;
}

/**
 * The TrainingProgress of one fit: snapshots for checkpoints, and the state a resume asked for, put back
 * by the loop once every callback's onTrainBegin has run (onTrainBegin resets a callback's counters).
 */
export class FitProgress implements TrainingProgress {
  private pending: TrainingState | null = null;

  constructor(
    private readonly who: string,
    private readonly callbacks: readonly Callback[],
    /** The members of the model being trained (its `layers`: bricks and nested models). */
    private readonly members: () => readonly Member[] = () => [],
  ) {}

  snapshot(epoch: number): TrainingState {
    const streams = [...brickStreams(this.members())].map(([key, r]) => [key, r.getState()]);
    return {
      epoch,
      rng: rng().getState(),
      streams: Object.fromEntries(streams),
      callbacks: stateful(this.callbacks).map((c) => c.getState()),
    };
  }

  resume(state: Record<string, unknown>): TrainingState {
    const { trainingState: parsed } = parseConfig(this.who, z.object({ trainingState: TrainingStateSchema }), {
      trainingState: state,
    });
    const fail = (message: string): never => {
      throw new BrickError(`${this.who}: ${message}`, this.who);
    };
    const names = (list: readonly CallbackState[]) => `[${list.map((c) => c.className).join(', ')}]`;
    const held = parsed.callbacks;
    const current = stateful(this.callbacks).map((c) => c.getState());
    if (held.length !== current.length || held.some((c, i) => c.className !== current[i]?.className)) {
      fail(
        `the training state holds the states of ${names(held)}, but the callbacks that keep state are ${names(current)}; pass the same callbacks, in the same order, as the run that saved it`,
      );
    }
    const heldStreams = Object.keys(parsed.streams).sort();
    const own = [...brickStreams(this.members()).keys()].sort();
    if (heldStreams.join() !== own.join()) {
      fail(
        `the training state holds the generators of [${heldStreams.join(', ')}], but the model's bricks hold [${own.join(', ')}]`,
      );
    }
    this.pending = parsed;
    return parsed;
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
    for (const [key, r] of brickStreams(this.members())) r.setState(state.streams[key] as RandomState);
    return state.epoch;
  }
}
