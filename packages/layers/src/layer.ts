import { assertBatchShape, BrickError, formatShape, parseConfig, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { autoName } from './names.js';
import type { Regularizer } from './regularizers.js';
import { isSymbolic, Node, type SymbolicTensor } from './symbolic.js';

export interface ForwardOptions {
  training: boolean;
  /**
   * The mask of the input, [batch, time] with 1 for a step to use and 0 for a padded one, when a mask
   * reaches the brick (from Embedding with maskZero, or Masking). Only bricks with `supportsMasking` get one.
   */
  mask?: tf.Tensor | null;
  /**
   * The initial states of a recurrent brick ([batch, units] each: h, and c for LSTM), when its call reads
   * them as inputs after x (Keras' `initial_state`). Only bricks with `checkInitialState` get them.
   */
  initialState?: readonly tf.Tensor[];
}

export type Params = Record<string, tf.Variable>;
export type Grads<P extends Params> = { [K in keyof P]: tf.Tensor };

/** `{ className, config }`: how every brick is written down in JSON. */
export interface BrickSpec {
  className: string;
  config: Record<string, unknown>;
}

/**
 * The brick contract. `forward` returns what `backward` needs in `cache`; the brick keeps nothing per
 * call. Non-trainable state (BatchNorm's moving statistics) lives in `state`, updated in training.
 */
export interface Layer<Config = unknown, P extends Params = Params, Cache = unknown> {
  /** Absent or false: forward takes one tensor. Multi-input bricks are {@link MultiInputLayer}s. */
  readonly multiInput?: false;
  readonly className: string;
  readonly name: string;
  readonly config: Config;
  /** Trainable variables, empty until build(). */
  readonly params: P;
  /** Non-trainable variables saved with the weights. */
  readonly state: Params;
  readonly built: boolean;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  build(inputShape: Shape): Shape;
  /**
   * `penalty`, when present, is added to the loss (an activity regularizer on y); the brick's backward adds
   * its gradient to dy itself. `extra` holds the outputs beyond y when the brick declares
   * `extraOutputShapes` (a recurrent brick's final states with returnState), in that order.
   */
  forward(x: tf.Tensor, opts: ForwardOptions): { y: tf.Tensor; cache: Cache; penalty?: tf.Scalar; extra?: tf.Tensor[] };
  /**
   * `dExtra`: the gradients of the extra outputs, in order (null for one nothing reads), when the brick has
   * extra outputs. dy is zeros when only the extra outputs are read.
   */
  backward(
    dy: tf.Tensor,
    cache: Cache,
    dExtra?: readonly (tf.Tensor | null)[],
  ): { dx: tf.Tensor; grads: Grads<P>; dInitialState?: tf.Tensor[] };
  /**
   * Optional: the brick's call may read inputs after x, its initial states (a recurrent brick's, Keras'
   * `initial_state`); throws a named error unless their shapes (no batch axis) are the ones it takes. The
   * forward pass then gets them in `initialState` and backward returns their gradients in `dInitialState`.
   */
  checkInitialState?(shapes: readonly Shape[]): void;
  /**
   * Optional: the brick takes a mask on its input (a brick without it refuses one by name). Unless it has
   * `computeMask`, the mask passes to its output unchanged (Dense, Dropout and Activation do this).
   */
  readonly supportsMasking?: boolean;
  /**
   * Optional: the mask of the output, [batch, time] or null, from the input and its mask. Embedding with
   * maskZero and Masking make one; a recurrent brick without returnSequences ends it (null).
   */
  computeMask?(x: tf.Tensor, mask: tf.Tensor | null): tf.Tensor | null;
  /** Optional: shapes of the outputs beyond y (returnState's final states). Absent: y is the only output. */
  readonly extraOutputShapes?: readonly Shape[];
  /**
   * Optional: the parameter gradients of `backward` without dx, for the first brick of a model, whose
   * input gradient nobody reads. Bricks whose dx costs real work (Dense) provide it.
   */
  paramGrads?(dy: tf.Tensor, cache: Cache): Grads<P>;
  /**
   * Optional, with `backwardFromPreActivation`: the activation the brick applies last (Dense, Conv2D). When
   * a loss has an exact gradient through it (softmax with categorical cross-entropy, sigmoid with binary
   * cross-entropy), the model hands the brick dL/dz at the activation's input instead of dL/dy.
   */
  readonly activation?: string;
  /** Optional: `backward` starting from dz, the gradient at the input of `activation`. */
  backwardFromPreActivation?(dz: tf.Tensor, cache: Cache): { dx: tf.Tensor; grads: Grads<P> };
  /** Regularizers that add to the loss, keyed by parameter name. */
  regularizers(): Partial<Record<keyof P & string, Regularizer>>;
  toSpec(): BrickSpec;
  dispose(): void;
}

/**
 * The contract of a brick with several inputs (Add, Concatenate, Dot): `forward` takes an array of tensors
 * and `backward` returns one gradient per input, in the same order. `arity` declares how many inputs it
 * accepts; a model refuses any other count before a tensor exists.
 */
export interface MultiInputLayer<Config = unknown, P extends Params = Params, Cache = unknown> {
  readonly multiInput: true;
  /** Fewest and most inputs accepted (Add: 2 to Infinity; Subtract and Dot: exactly 2). */
  readonly arity: { readonly min: number; readonly max: number };
  readonly className: string;
  readonly name: string;
  readonly config: Config;
  readonly params: P;
  readonly state: Params;
  readonly built: boolean;
  /** The shape of one example of each input. */
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
  build(inputShapes: readonly Shape[]): Shape;
  forward(xs: readonly tf.Tensor[], opts: ForwardOptions): { y: tf.Tensor; cache: Cache; penalty?: tf.Scalar };
  backward(dy: tf.Tensor, cache: Cache): { dxs: tf.Tensor[]; grads: Grads<P> };
  regularizers(): Partial<Record<keyof P & string, Regularizer>>;
  toSpec(): BrickSpec;
  dispose(): void;
}

/** Any brick: one input or several. */
export type Brick = Layer | MultiInputLayer;

export function isMultiInput(brick: Brick): brick is MultiInputLayer {
  return brick.multiInput === true;
}

const baseShape = {
  /** Unique name in a model. Default: the class name in snake case with a counter (`dense_1`). */
  name: z.string().min(1).optional(),
};
type BaseShape = typeof baseShape;
/** Fields every brick's config accepts (an interface, so the .d.ts of each config names it and its fields keep their docs on hover). */
export interface BaseFields extends BaseShape {}
export const baseConfig: BaseFields = baseShape;

/** Plumbing every brick shares, one input or several: config validation with named errors, naming, specs. */
abstract class BrickBase<S extends z.ZodType<{ name?: string | undefined }>, P extends Params> {
  readonly name: string;
  readonly config: z.output<S>;
  params = {} as P;
  state: Params = {};

  constructor(
    readonly className: string,
    schema: S,
    raw: z.input<S> | undefined,
  ) {
    const given = (raw as { name?: unknown } | undefined)?.name;
    const label = typeof given === 'string' ? `${className} '${given}'` : className;
    const parsed = parseConfig(label, schema, raw ?? {});
    this.name = parsed.name ?? autoName(className);
    this.config = { ...parsed, name: this.name };
  }

  /** "Dense 'dense_1'": how errors name this brick. */
  get label(): string {
    return `${this.className} '${this.name}'`;
  }

  regularizers(): Partial<Record<keyof P & string, Regularizer>> {
    return {};
  }

  toSpec(): BrickSpec {
    return { className: this.className, config: JSON.parse(JSON.stringify(this.config)) };
  }

  dispose(): void {
    for (const v of [...Object.values(this.params), ...Object.values(this.state)]) v.dispose();
  }
}

/** Rethrows a build error of `brick` as one naming the bricks that produced its inputs and their shapes. */
function buildFrom<T>(brick: { label: string }, inputs: readonly SymbolicTensor[], build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof BrickError)) throw e;
    const from = inputs.map((t) => `${formatShape([null, ...t.shape])} from ${t.producer}`).join(' and ');
    throw new BrickError(`${brick.label} cannot take ${from}: ${e.message}`, brick.label);
  }
}

/**
 * One call of any brick on symbolic tensors: builds it for their shapes (a named error says which bricks
 * gave the shapes it cannot take) and returns its symbolic outputs (y, then any extra outputs such as a
 * recurrent brick's final states). `apply` of every brick comes here.
 */
export function callBrick(brick: Brick, inputs: readonly SymbolicTensor[]): SymbolicTensor[] {
  const label = `${brick.className} '${brick.name}'`;
  if (!isMultiInput(brick) && inputs.length !== 1 && !(inputs.length > 1 && brick.checkInitialState)) {
    throw new BrickError(`${label} takes one input, received ${inputs.length}`, label);
  }
  const output = buildFrom({ label }, inputs, () => {
    if (isMultiInput(brick)) return brick.build(inputs.map((t) => t.shape));
    const y = brick.build((inputs[0] as SymbolicTensor).shape);
    if (inputs.length > 1) brick.checkInitialState?.(inputs.slice(1).map((t) => t.shape));
    return y;
  });
  const extra = isMultiInput(brick) ? [] : (brick.extraOutputShapes ?? []);
  return [...new Node(brick, inputs, [output, ...extra]).outputs];
}

/**
 * Shared plumbing for bricks of one input: config validation with named errors, naming, build
 * bookkeeping and shape checks. Subclasses state `setup` (create params, return the output shape),
 * `forward` and `backward`.
 */
export abstract class BaseLayer<
    S extends z.ZodType<{ name?: string | undefined }>,
    P extends Params = Params,
    Cache = unknown,
    /** What `apply` gives on a symbolic tensor: y, or [y, ...extra] for a brick with extra outputs. */
    Out extends SymbolicTensor | SymbolicTensor[] = SymbolicTensor,
  >
  extends BrickBase<S, P>
  implements Layer<z.output<S>, P, Cache>
{
  built = false;
  private shapes: { input: Shape; output: Shape } | null = null;

  get inputShape(): Shape {
    if (!this.shapes) throw new BrickError(`${this.label} is not built yet`, this.label);
    return this.shapes.input;
  }

  get outputShape(): Shape {
    if (!this.shapes) throw new BrickError(`${this.label} is not built yet`, this.label);
    return this.shapes.output;
  }

  build(inputShape: Shape): Shape {
    if (this.shapes) {
      const same =
        this.shapes.input.length === inputShape.length && this.shapes.input.every((d, i) => d === inputShape[i]);
      if (!same) {
        throw new BrickError(
          `${this.label}: already built for input [${this.shapes.input.join(', ')}], cannot rebuild for [${inputShape.join(', ')}]`,
          this.label,
        );
      }
      return this.shapes.output;
    }
    const output = this.setup([...inputShape]);
    this.shapes = { input: [...inputShape], output };
    this.built = true;
    return output;
  }

  /**
   * On a symbolic tensor (from `input()` or another brick's `apply`): builds the brick for its shape and
   * returns the symbolic output, a step of a functional model. On a real tensor: the inference output.
   *
   * @example
   * const x = input({ shape: [784] });
   * const y = new Dense({ units: 10 }).apply(x); // y.shape: [10]
   */
  apply(x: SymbolicTensor): Out;
  apply(x: tf.Tensor): tf.Tensor;
  apply(x: SymbolicTensor | tf.Tensor): Out | tf.Tensor {
    if (Array.isArray(x)) {
      throw new BrickError(`${this.label} takes one input, received an array of ${x.length}`, this.label);
    }
    if (!isSymbolic(x)) return tf.tidy(() => this.forward(x, { training: false }).y);
    const outs = callBrick(this, [x]);
    return (outs.length === 1 ? outs[0] : outs) as Out;
  }

  /** Creates the parameters for this input shape and returns the output shape (no batch axis). */
  protected abstract setup(inputShape: Shape): Shape;

  abstract forward(
    x: tf.Tensor,
    opts: ForwardOptions,
  ): { y: tf.Tensor; cache: Cache; penalty?: tf.Scalar; extra?: tf.Tensor[] };
  abstract backward(
    dy: tf.Tensor,
    cache: Cache,
    dExtra?: readonly (tf.Tensor | null)[],
  ): { dx: tf.Tensor; grads: Grads<P>; dInitialState?: tf.Tensor[] };

  /** Throws a named error unless x is [batch, ...inputShape]; builds on first use. */
  protected checkInput(x: tf.Tensor): void {
    if (!this.shapes) this.build(x.shape.slice(1));
    assertBatchShape(this.label, 'input', this.inputShape, x.shape);
  }

  /** Throws a named error unless dy is [batch, ...outputShape]. */
  protected checkGrad(dy: tf.Tensor): void {
    assertBatchShape(this.label, 'upstream gradient dy', this.outputShape, dy.shape);
  }
}

/**
 * Shared plumbing for bricks of several inputs: the count of inputs checked against `arity`, build
 * bookkeeping and shape checks. Subclasses state `arity`, `setup(inputShapes)`, `forward(xs)` and
 * `backward` (returning `dxs`).
 */
export abstract class BaseMultiInputLayer<
    S extends z.ZodType<{ name?: string | undefined }>,
    P extends Params = Params,
    Cache = unknown,
  >
  extends BrickBase<S, P>
  implements MultiInputLayer<z.output<S>, P, Cache>
{
  readonly multiInput = true as const;
  abstract readonly arity: { readonly min: number; readonly max: number };
  built = false;
  private shapes: { inputs: Shape[]; output: Shape } | null = null;

  get inputShapes(): readonly Shape[] {
    if (!this.shapes) throw new BrickError(`${this.label} is not built yet`, this.label);
    return this.shapes.inputs;
  }

  get outputShape(): Shape {
    if (!this.shapes) throw new BrickError(`${this.label} is not built yet`, this.label);
    return this.shapes.output;
  }

  /** "2 inputs", "2 or more inputs", "2 to 4 inputs". */
  private arityText(): string {
    const { min, max } = this.arity;
    if (min === max) return `${min} inputs`;
    return max === Number.POSITIVE_INFINITY ? `${min} or more inputs` : `${min} to ${max} inputs`;
  }

  build(inputShapes: readonly Shape[]): Shape {
    const n = inputShapes.length;
    if (n < this.arity.min || n > this.arity.max) {
      throw new BrickError(`${this.label}: takes ${this.arityText()}, received ${n}`, this.label);
    }
    const text = (shapes: readonly Shape[]) => shapes.map((s) => formatShape([null, ...s])).join(', ');
    if (this.shapes) {
      const same =
        this.shapes.inputs.length === n &&
        this.shapes.inputs.every(
          (s, i) => s.length === inputShapes[i]?.length && s.every((d, j) => d === inputShapes[i]?.[j]),
        );
      if (!same) {
        throw new BrickError(
          `${this.label}: already built for inputs ${text(this.shapes.inputs)}, cannot rebuild for ${text(inputShapes)}`,
          this.label,
        );
      }
      return this.shapes.output;
    }
    const inputs = inputShapes.map((s) => [...s]);
    const output = this.setup(inputs);
    this.shapes = { inputs, output };
    this.built = true;
    return output;
  }

  /**
   * On symbolic tensors: builds the brick for their shapes and returns the symbolic output. On real
   * tensors: the inference output.
   *
   * @example
   * const sum = new Add().apply([a, b]);
   */
  apply(xs: readonly SymbolicTensor[]): SymbolicTensor;
  apply(xs: readonly tf.Tensor[]): tf.Tensor;
  apply(xs: readonly (SymbolicTensor | tf.Tensor)[]): SymbolicTensor | tf.Tensor {
    if (!Array.isArray(xs)) {
      throw new BrickError(`${this.label} takes an array of ${this.arityText()}, received one tensor`, this.label);
    }
    if (!xs.every(isSymbolic)) {
      if (xs.some(isSymbolic)) {
        throw new BrickError(
          `${this.label}: inputs must be all symbolic or all real tensors, received a mix`,
          this.label,
        );
      }
      return tf.tidy(() => this.forward(xs as tf.Tensor[], { training: false }).y);
    }
    return callBrick(this, xs as readonly SymbolicTensor[])[0] as SymbolicTensor;
  }

  /** Creates the parameters for these input shapes (already counted) and returns the output shape. */
  protected abstract setup(inputShapes: Shape[]): Shape;

  abstract forward(xs: readonly tf.Tensor[], opts: ForwardOptions): { y: tf.Tensor; cache: Cache; penalty?: tf.Scalar };
  abstract backward(dy: tf.Tensor, cache: Cache): { dxs: tf.Tensor[]; grads: Grads<P> };

  /** Throws a named error unless each x is [batch, ...its input shape] with one batch size; builds on first use. */
  protected checkInputs(xs: readonly tf.Tensor[]): void {
    if (!this.shapes) this.build(xs.map((x) => x.shape.slice(1)));
    if (xs.length !== this.inputShapes.length) {
      throw new BrickError(`${this.label}: takes ${this.inputShapes.length} inputs, received ${xs.length}`, this.label);
    }
    xs.forEach((x, i) => {
      assertBatchShape(this.label, `input ${i}`, this.inputShapes[i] as Shape, x.shape);
    });
    const batch = xs[0]?.shape[0];
    if (xs.some((x) => x.shape[0] !== batch)) {
      throw new BrickError(
        `${this.label}: inputs must share one batch size, received ${xs.map((x) => formatShape(x.shape)).join(', ')}`,
        this.label,
      );
    }
  }

  /** Throws a named error unless dy is [batch, ...outputShape]. */
  protected checkGrad(dy: tf.Tensor): void {
    assertBatchShape(this.label, 'upstream gradient dy', this.outputShape, dy.shape);
  }
}
