/**
 * The optimizer loop, in Keras 3's order: g ← clip(g); w ← w - lr·wd·w (decoupled weight decay);
 * update(w, g, slots); iterations += 1, with lr = schedule(iterations) when scheduled.
 * Scalars (the scheduled lr, bias corrections) are computed on the CPU; tensors stay on the device.
 */
import {
  BrickError,
  formula as F,
  type Formula,
  formatShape,
  nonNegativeNumber,
  parseConfig,
  positiveNumber,
} from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { clipGradients } from './clipping.js';
import type { Optimizer, OptimizerState, Schedule } from './optimizer.js';
import { isSchedule, ScheduleSpec, scheduleFromSpec } from './schedules.js';

/** A constant learning rate, a schedule spec, or a Schedule object. */
export const LearningRate = z.union([nonNegativeNumber(), ScheduleSpec, z.custom<Schedule>(isSchedule)], {
  error: 'must be a non-negative number or a schedule spec ({ className, config })',
});

/** Fields every optimizer's config accepts; `learningRate` gets its default per optimizer. */
const optimizerShape = (learningRate: number) => ({
  /** Step size: a number or a schedule. Default: per optimizer (SGD 0.01, the others 0.001). */
  learningRate: LearningRate.default(learningRate),
  /** Decoupled weight decay: w -= lr·weightDecay·w before each update. Default: none (AdamW: 0.004). */
  weightDecay: nonNegativeNumber().optional(),
  /** Rescale each gradient whose L2 norm exceeds this to this norm. Default: none. */
  clipNorm: positiveNumber().optional(),
  /** Clamp every gradient entry to [-clipValue, clipValue]. Default: none. */
  clipValue: positiveNumber().optional(),
  /** Rescale all gradients together when their joint L2 norm exceeds this. Default: none. */
  globalClipNorm: positiveNumber().optional(),
});
type OptimizerShape = ReturnType<typeof optimizerShape>;
/** Config fields of every optimizer (an interface, so the .d.ts of each config names it and its fields keep their docs on hover). */
export interface OptimizerFields extends OptimizerShape {}
/** The fields of every optimizer, with its default learning rate. */
export const optimizerFields = (learningRate: number): OptimizerFields => optimizerShape(learningRate);

export interface BaseOptimizerConfig {
  learningRate: number | Schedule | z.output<typeof ScheduleSpec>;
  weightDecay?: number | undefined;
  clipNorm?: number | undefined;
  clipValue?: number | undefined;
  globalClipNorm?: number | undefined;
}

/** What an update sees besides the tensors: the step's learning rate and its 1-based step number. */
export interface StepContext {
  lr: number;
  t: number;
  /**
   * A float32 scalar tensor of `value`, made once per step and shared by every variable's update: a number
   * operand (`tf.mul(s, 0.9)`) is uploaded and freed again by every op that takes it.
   */
  scalar(value: number): tf.Scalar;
  /**
   * An element-wise formula over same-shape tensors (`formula` in @brickml/core): one kernel on webgpu,
   * where each tfjs op is a dispatch; elsewhere the same ops, in the written order, on shared scalars.
   */
  run(f: Formula, inputs: tf.Tensor[]): tf.Tensor;
  /**
   * Formulas over the same inputs, each after the ones before it, whose results it may read (`resultOf`
   * in @brickml/core's formula): a weight's new slots and the weight itself in one kernel and one pass
   * over memory on wasm; elsewhere each as `run`.
   */
  runAll(fs: Formula[], inputs: tf.Tensor[]): tf.Tensor[];
}

let slotCounter = 0;
const W = F.inputOf(0);

/**
 * Owns the loop (validation, clipping, weight decay, lazy slots keyed by variable name, the step
 * count, state I/O); subclasses name their slots and state the update of one variable.
 */
export abstract class BaseOptimizer<S extends z.ZodType<BaseOptimizerConfig>, Slot extends string = string>
  implements Optimizer
{
  /** The validated config (learningRate as given: number, spec or Schedule). */
  protected readonly c: z.output<S>;
  private lr: number;
  private schedule: Schedule | null;
  private slotsByVariable = new Map<string, Record<Slot, tf.Variable>>();
  private steps = 0;

  constructor(
    readonly className: string,
    schema: S,
    raw: z.input<S> | undefined,
  ) {
    this.c = parseConfig(className, schema, raw ?? {});
    const { learningRate, clipNorm, clipValue, globalClipNorm } = this.c;
    const clips = Object.entries({ clipNorm, clipValue, globalClipNorm }).filter(([, v]) => v !== undefined);
    if (clips.length > 1) {
      throw new BrickError(
        `${className}: only one of clipNorm, clipValue and globalClipNorm can be set, received ${clips.map(([k, v]) => `${k}=${v}`).join(', ')}`,
        className,
      );
    }
    this.schedule = typeof learningRate === 'number' ? null : scheduleFromSpec(learningRate);
    this.lr = typeof learningRate === 'number' ? learningRate : Number.NaN;
  }

  /** Slots each variable gets (shaped like it), created on its first update. */
  protected abstract slotNames(): readonly Slot[];

  /** The value a slot starts at; zero unless the optimizer says otherwise (Adagrad's accumulator). */
  protected initialSlotValue(_slot: Slot): number {
    return 0;
  }

  /** One variable's update from its (clipped) gradient; runs inside a tf.tidy. */
  protected abstract update(w: tf.Variable, g: tf.Tensor, slots: Record<Slot, tf.Variable>, step: StepContext): void;

  /** JSON-safe config; a schedule appears as its spec. */
  get config(): Record<string, unknown> {
    const learningRate = this.schedule ? this.schedule.toSpec() : this.lr;
    return JSON.parse(JSON.stringify({ ...this.c, learningRate }));
  }

  get iterations(): number {
    return this.steps;
  }

  currentLearningRate(): number {
    return this.schedule ? this.schedule.at(this.steps) : this.lr;
  }

  setLearningRate(lr: number): void {
    if (!(Number.isFinite(lr) && lr >= 0)) {
      const who = `${this.className}.setLearningRate`;
      throw new BrickError(`${who}: lr must be a non-negative number, received ${lr}`, who);
    }
    this.lr = lr;
    this.schedule = null;
  }

  apply(params: tf.Variable[], grads: tf.Tensor[]): void {
    const who = `${this.className}.apply`;
    if (params.length !== grads.length) {
      throw new BrickError(`${who}: got ${params.length} variables but ${grads.length} gradients`, who);
    }
    params.forEach((w, i) => {
      const g = grads[i] as tf.Tensor;
      if (!sameShape(w.shape, g.shape)) {
        throw new BrickError(
          `${who}: the gradient for '${w.name}' has shape ${formatShape(g.shape)}, the variable has shape ${formatShape(w.shape)}`,
          who,
        );
      }
    });
    if (params.length === 0) return;
    const lr = this.currentLearningRate();
    const wd = this.c.weightDecay;
    const scalars = new Map<number, tf.Scalar>();
    const scalar = (value: number) => {
      let made = scalars.get(value);
      if (!made) {
        made = tf.keep(tf.scalar(value, 'float32'));
        scalars.set(value, made);
      }
      return made;
    };
    try {
      tf.tidy(() => {
        const run = (f: Formula, inputs: tf.Tensor[]) => F.runFormula(f, inputs, scalar);
        const runAll = (fs: Formula[], inputs: tf.Tensor[]) => F.runFormulas(fs, inputs, scalar);
        const step: StepContext = { lr, t: this.steps + 1, scalar, run, runAll };
        const clipped = clipGradients(grads, this.c);
        params.forEach((w, i) => {
          const slots = this.slotsFor(w);
          if (wd) w.assign(run(F.sub(W, F.mul(W, F.constant(lr * wd))), [w]));
          this.update(w, clipped[i] as tf.Tensor, slots, step);
        });
      });
    } finally {
      tf.dispose([...scalars.values()]);
    }
    this.steps++;
  }

  private slotsFor(w: tf.Variable): Record<Slot, tf.Variable> {
    const existing = this.slotsByVariable.get(w.name);
    if (existing) {
      for (const [name, s] of Object.entries(existing) as [Slot, tf.Variable][]) {
        if (!sameShape(s.shape, w.shape)) {
          throw new BrickError(
            `${this.className}: slot '${name}' of variable '${w.name}' has shape ${formatShape(s.shape)}, the variable has shape ${formatShape(w.shape)}`,
            this.className,
          );
        }
      }
      return existing;
    }
    const slots = {} as Record<Slot, tf.Variable>;
    for (const name of this.slotNames()) {
      const start = tf.fill(w.shape, this.initialSlotValue(name), 'float32');
      slots[name] = this.makeSlot(start, w.name, name);
      start.dispose();
    }
    this.slotsByVariable.set(w.name, slots);
    return slots;
  }

  // Slot variables are not tidied (tf.tidy never disposes variables); the names only aid debugging.
  private makeSlot(value: tf.Tensor, variable: string, slot: string): tf.Variable {
    return tf.variable(value, false, `${this.className}/${variable}/${slot}_${slotCounter++}`);
  }

  async getState(): Promise<OptimizerState> {
    const slots: OptimizerState['slots'] = {};
    for (const [variable, byName] of this.slotsByVariable) {
      const out: Record<string, { shape: number[]; values: number[] }> = {};
      for (const [name, s] of Object.entries(byName) as [string, tf.Variable][]) {
        out[name] = { shape: [...s.shape], values: Array.from(await s.data()) };
      }
      slots[variable] = out;
    }
    return { className: this.className, iterations: this.steps, slots };
  }

  setState(state: OptimizerState, params: tf.Variable[]): void {
    const who = `${this.className}.setState`;
    const fail = (msg: string): never => {
      throw new BrickError(`${who}: ${msg}`, who);
    };
    if (state.className !== this.className) fail(`the state is from ${state.className}, not ${this.className}`);
    if (!Number.isInteger(state.iterations) || state.iterations < 0) {
      fail(`iterations must be a non-negative integer, received ${state.iterations}`);
    }
    const byName = new Map(params.map((w) => [w.name, w]));
    const expected = [...this.slotNames()].sort();
    for (const [variable, slots] of Object.entries(state.slots)) {
      const w = byName.get(variable);
      if (!w) fail(`the state has slots for variable '${variable}', which is not among the given variables`);
      const names = Object.keys(slots).sort();
      if (names.join() !== expected.join()) {
        fail(`variable '${variable}' has slots [${names.join(', ')}], expected [${expected.join(', ')}]`);
      }
      for (const [name, { shape, values }] of Object.entries(slots)) {
        if (!sameShape(shape, (w as tf.Variable).shape)) {
          fail(
            `slot '${name}' of variable '${variable}' has shape ${formatShape(shape)}, the variable has shape ${formatShape((w as tf.Variable).shape)}`,
          );
        }
        const size = shape.reduce((a, b) => a * b, 1);
        if (values.length !== size)
          fail(`slot '${name}' of variable '${variable}' has ${values.length} values, expected ${size}`);
      }
    }
    this.disposeSlots();
    for (const [variable, slots] of Object.entries(state.slots)) {
      const restored = {} as Record<Slot, tf.Variable>;
      for (const [name, { shape, values }] of Object.entries(slots)) {
        const value = tf.tensor(values, shape, 'float32');
        restored[name as Slot] = this.makeSlot(value, variable, name);
        value.dispose();
      }
      this.slotsByVariable.set(variable, restored);
    }
    this.steps = state.iterations;
  }

  toSpec(): { className: string; config: Record<string, unknown> } {
    return { className: this.className, config: this.config };
  }

  dispose(): void {
    this.disposeSlots();
  }

  private disposeSlots(): void {
    for (const slots of this.slotsByVariable.values()) for (const s of Object.values<tf.Variable>(slots)) s.dispose();
    this.slotsByVariable.clear();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
