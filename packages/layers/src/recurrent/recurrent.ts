/**
 * The time loop every recurrent brick shares (Keras' RNN layer), for x [B, T, D] (T reversed with goBackwards):
 *   XW = (x ⊙ m_x)·W + b for all T steps (m_x: the input dropout mask [B, D], one per sequence);
 *   per step s: states_s = cell(XW_s, h_{s-1} ⊙ m_h, states_{s-1}), or states_{s-1} where step s is masked
 *   (m_h: the recurrent dropout mask [B, units]); y = [h_1 … h_T] with returnSequences, else h_T.
 * Backward through time: the cell turns dL/dh_s (dy_s + what step s+1 sends back) into dZ_s, the gradient of
 *   step s's gate pre-activations; after the loop, with dZ = [dZ_1 … dZ_T] stacked, dW = (x ⊙ m_x)ᵀ·dZ,
 *   dx = (dZ·Wᵀ) ⊙ m_x and dU = Hᵀ·dZ (H: the stacked h_{s-1} ⊙ m_h), one matMul each.
 * Inside, sequences are time-major (row s·B + b for example b at step s): a step's rows are one block, so
 * stacking the steps is a block copy (on wasm, a strided concat copies row by row). Taking steps out of a
 * stacked tensor stays rare: wasm's Slice copies its whole input for every part it returns.
 */
import { BrickError, configObject, formatShape, matMul, positiveInt, Random, rng, type Shape } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ActivationName } from '../activations/functions.js';
import { Initializer, makeVariable } from '../initializers.js';
import { type BaseFields, BaseLayer, baseConfig, callBrick, type ForwardOptions, type Grads } from '../layer.js';
import { DropoutRate, dropoutMask } from '../regularization/dropout.js';
import { makeRegularizer, type Regularizer, RegularizerConfig } from '../regularizers.js';
import { isSymbolic, type SymbolicTensor } from '../symbolic.js';

const recurrentShape = {
  /** Width of the output and of each state. */
  units: positiveInt(),
  /** Activation of the candidate state (and of the output in LSTM). Default: tanh. */
  activation: ActivationName.default('tanh'),
  /** Add bias vectors. Default: true. */
  useBias: z.boolean().default(true),
  /** How the input kernel W is drawn. Default: glorotUniform. */
  kernelInitializer: Initializer.default('glorotUniform'),
  /** How the recurrent kernel U is drawn. Default: orthogonal. */
  recurrentInitializer: Initializer.default('orthogonal'),
  /** How the bias is drawn. Default: zeros. */
  biasInitializer: Initializer.default('zeros'),
  /** Penalty on the kernel added to the loss. Default: none. */
  kernelRegularizer: RegularizerConfig.optional(),
  /** Penalty on the recurrent kernel added to the loss. Default: none. */
  recurrentRegularizer: RegularizerConfig.optional(),
  /** Penalty on the bias added to the loss. Default: none. */
  biasRegularizer: RegularizerConfig.optional(),
  /** Fraction of the input features dropped in training, one mask per sequence, in [0, 1). Default: 0. */
  dropout: DropoutRate.default(0),
  /** Fraction of the state fed back (h_{t-1}) dropped in training, one mask per sequence. Default: 0. */
  recurrentDropout: DropoutRate.default(0),
  /** Seed of this brick's own dropout stream. Default: none (the global rng, see setSeed). */
  seed: z.int({ error: 'must be an integer' }).optional(),
  /** Output every step's h ([batch, time, units]) instead of the last ([batch, units]). Default: false. */
  returnSequences: z.boolean().default(false),
  /** Also output the final states (h; LSTM: h and c), after y. Default: false. */
  returnState: z.boolean().default(false),
  /** Read the sequence from its end; the output sequence is then in that reversed order. Default: false. */
  goBackwards: z.boolean().default(false),
  /** Keep the final states of a batch as the initial states of the next (see resetStates). Default: false. */
  stateful: z.boolean().default(false),
  /** The fixed batch size a stateful brick keeps states for (Keras: the input's batch size). */
  batchSize: positiveInt().optional(),
};
type RecurrentShape = typeof recurrentShape;
/** Config fields of every recurrent brick, Keras 3 names and defaults (an interface, so the .d.ts of each config names it and its fields keep their docs on hover). */
export interface RecurrentFields extends BaseFields, RecurrentShape {}
export const recurrentFields: RecurrentFields = { ...baseConfig, ...recurrentShape };

const RecurrentConfig = configObject(recurrentFields);
type RecurrentConfig = z.output<typeof RecurrentConfig>;

export type RecurrentParams = { kernel: tf.Variable; recurrentKernel: tf.Variable; bias?: tf.Variable };

/** Activations that mix the units of a step: a recurrent state takes elementwise ones only. */
const ACROSS_UNITS = new Set(['softmax', 'logSoftmax', 'log_softmax', 'sparsemax', 'glu']);

/** What a forward pass keeps for backward; tensors per step are in the order the steps ran. */
export interface RecurrentCache<Saved> {
  batch: number;
  time: number;
  /** The input after dropout, [T·B, D], row s·B + b for example b at step s (in the order the steps ran). */
  x: tf.Tensor;
  /** Input dropout mask [B, D], or null. */
  mx: tf.Tensor | null;
  /** Recurrent dropout mask [B, units], or null. */
  mh: tf.Tensor | null;
  /** The mask as 1 (step used) or 0, [T·B, 1] in the rows of x, or null. */
  m: tf.Tensor | null;
  /** Stateful or given initial states, with a mask: 1 from an example's first used step on, [B, T, 1] or [B, 1], else null. */
  seen: tf.Tensor | null;
  /** The initial states were inputs (`initialState`): backward returns their gradients. */
  initial: boolean;
  /**
   * Per step: h_{s-1} ⊙ m_h, the state that meets U; or, where the steps ran as one (wholeSequence), one
   * tensor [T·B, units] of them all.
   */
  hIn: tf.Tensor[];
  /** Per step: what the cell keeps; or one entry for the whole sequence (wholeSequence). */
  saved: Saved[];
}

/** All steps at once (Recurrent.wholeSequence): time-major tensors [T·B, units], the final states. */
export interface WholeSequence<Saved> {
  /** Each step's h. */
  hs: tf.Tensor;
  /** The h each step started from. */
  hIn: tf.Tensor;
  /** The final states, h first. */
  states: tf.Tensor[];
  /** What the backward pass needs, for all steps. */
  saved: Saved;
}

/** A [T·B, w] tensor (rows s·B + b) as T tensors [B, w], one per step: block copies. */
export function steps(t: tf.Tensor, time: number): tf.Tensor[] {
  return time === 1 ? [t] : tf.split(t, time, 0);
}

/** T tensors [B, w], one per step, as one [T·B, w] tensor (rows s·B + b): block copies. */
export function join(list: readonly tf.Tensor[]): tf.Tensor {
  return list.length === 1 ? at(list, 0) : tf.concat(list as tf.Tensor[], 0);
}

/** [B, T, w] as [T·B, w] (rows s·B + b), read in reverse time with `reverse`. */
export function timeMajor(t: tf.Tensor, reverse = false): tf.Tensor {
  const [batch, time, width] = t.shape as [number, number, number];
  const tm = tf.transpose(t, [1, 0, 2]);
  return tf.reshape(reverse ? tf.reverse(tm, 0) : tm, [time * batch, width]);
}

/** [T·B, w] (rows s·B + b) as [B, T, w], turned back to forward time with `reverse`. */
export function batchMajor(t: tf.Tensor, batch: number, reverse = false): tf.Tensor {
  const [rows, width] = t.shape as [number, number];
  const tm = tf.reshape(t, [rows / batch, batch, width]);
  return tf.transpose(reverse ? tf.reverse(tm, 0) : tm, [1, 0, 2]);
}

/**
 * What `apply` gives on a symbolic tensor for a config: the list [y, ...final states] with returnState
 * true, y alone without it, either when the config's type does not say.
 */
export type RecurrentOutput<C> = 'returnState' extends keyof C
  ? C extends { returnState?: infer R }
    ? [R] extends [true]
      ? SymbolicTensor[]
      : [R] extends [false | undefined]
        ? SymbolicTensor
        : SymbolicTensor | SymbolicTensor[]
    : SymbolicTensor | SymbolicTensor[]
  : SymbolicTensor;

/** The n parts of a tf.split. */
export type Tensors<N extends number, Acc extends tf.Tensor[] = []> = Acc['length'] extends N
  ? Acc
  : Tensors<N, [...Acc, tf.Tensor]>;

/** list[i], known to be there (a step's tensor, a split's part). */
export function at<T>(list: readonly T[], i: number): T {
  return list[i] as T;
}

/** tf.tidy for results holding non-tensor fields too (the cache's numbers and nulls); it keeps every tensor. */
function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}

/** The gradients a cell's backward pass through time returns; the base adds the input kernel's. */
export interface CellGrads {
  /** dL/dXW, [T·B, gates·units] in the rows of the cache's x. */
  dXW: tf.Tensor;
  /** dL/dW, when the cell has it already; else the base computes xᵀ·dXW. */
  kernel?: tf.Tensor;
  /** With the cache's `initial`: the gradients of the initial states (h first), what step 0 sends back. */
  dInitial?: tf.Tensor[];
  recurrentKernel: tf.Tensor;
  bias?: tf.Tensor;
}

/**
 * The shared plumbing of SimpleRNN, LSTM and GRU: config, weights, dropout masks, the mask, goBackwards,
 * returnSequences, returnState and stateful carries. A cell states its gate count, its per-step forward
 * (`step`) and its backward loop (`throughTime`).
 * `X`: one step's share of XW; `C`: what the steps of one sequence share; `Saved`: what a step keeps.
 */
export abstract class Recurrent<
  S extends z.ZodType<RecurrentConfig & { name?: string | undefined }>,
  X,
  C,
  Saved,
  Out extends SymbolicTensor | SymbolicTensor[] = SymbolicTensor | SymbolicTensor[],
> extends BaseLayer<S, RecurrentParams, RecurrentCache<Saved>, Out> {
  readonly supportsMasking = true;
  /** Gates sharing W and U: columns of W are gates·units. */
  protected abstract readonly gates: number;
  /** State names: ['h'] or ['h', 'c']. */
  protected abstract readonly stateNames: readonly string[];
  /** With a seed, the brick draws its dropout masks from a stream of its own. */
  private readonly stream: Random | undefined;

  constructor(className: string, schema: S, raw: z.input<S>) {
    super(className, schema, raw);
    const c = this.config as RecurrentConfig & { recurrentActivation?: string };
    for (const [field, name] of [
      ['activation', c.activation],
      ['recurrentActivation', c.recurrentActivation],
    ] as const) {
      if (name !== undefined && ACROSS_UNITS.has(name)) {
        throw new BrickError(
          `${this.label}: ${field} '${name}' mixes the units of a step; a recurrent brick takes elementwise activations`,
          this.label,
        );
      }
    }
    if (c.stateful && c.batchSize === undefined) {
      throw new BrickError(
        `${this.label}: stateful needs a fixed batch size (the states are kept per example): set batchSize`,
        this.label,
      );
    }
    this.stream = c.seed === undefined ? undefined : new Random(c.seed);
  }

  /** Shapes of returnState's outputs: one [units] per state. */
  get extraOutputShapes(): readonly Shape[] | undefined {
    return this.config.returnState ? this.stateNames.map(() => [this.config.units]) : undefined;
  }

  /** The mask of y: the input's with returnSequences (unchanged by goBackwards, as in Keras), else none. */
  computeMask(_x: tf.Tensor, mask: tf.Tensor | null): tf.Tensor | null {
    return this.config.returnSequences ? mask : null;
  }

  protected setup(inputShape: Shape): Shape {
    const [time, inputDim] = inputShape;
    if (inputShape.length !== 2 || typeof inputDim !== 'number') {
      throw new BrickError(
        `${this.label}: input must be [batch, time, features] with a size for features, received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    const { units, useBias, kernelInitializer, recurrentInitializer, stateful, batchSize } = this.config;
    const k = this.gates * units;
    this.params = {
      kernel: makeVariable(this.name, 'kernel', kernelInitializer, [inputDim, k]),
      recurrentKernel: makeVariable(this.name, 'recurrent_kernel', recurrentInitializer, [units, k]),
    };
    if (useBias) this.params.bias = this.makeBias();
    if (stateful) {
      this.state = Object.fromEntries(
        this.stateNames.map((s) => [
          s,
          makeVariable(this.name, `state_${s}`, 'zeros', [batchSize as number, units], false),
        ]),
      );
    }
    return this.config.returnSequences ? [time ?? null, units] : [units];
  }

  /**
   * On a symbolic tensor: the brick's symbolic output (y, or [y, ...final states] with returnState), its
   * call reading `initialState` ([h] or [h, c], each [units]) as inputs after x, as Keras'
   * `layer(x, initial_state=[h, c])`; the states' gradients flow back into them. On real tensors: y.
   *
   * @example
   * const [y, h, c] = new LSTM({ units: 8, returnState: true }).apply(x);
   * const z = new LSTM({ units: 8 }).apply(x2, { initialState: [h, c] });
   */
  override apply(x: SymbolicTensor, opts?: { initialState?: readonly SymbolicTensor[] }): Out;
  override apply(x: tf.Tensor, opts?: { initialState?: readonly tf.Tensor[] }): tf.Tensor;
  override apply(
    x: SymbolicTensor | tf.Tensor,
    opts: { initialState?: readonly (SymbolicTensor | tf.Tensor)[] } = {},
  ): Out | tf.Tensor {
    const given = opts.initialState;
    if (!given) return super.apply(x as SymbolicTensor);
    if (!Array.isArray(given)) {
      throw new BrickError(`${this.label}: initialState must be a list of tensors (h, c for LSTM)`, this.label);
    }
    const all = [x, ...given];
    if (!all.every(isSymbolic)) {
      if (all.some(isSymbolic)) {
        throw new BrickError(`${this.label}: x and initialState must be all symbolic or all real tensors`, this.label);
      }
      const initialState = given as tf.Tensor[];
      return tf.tidy(() => this.forward(x as tf.Tensor, { training: false, initialState }).y);
    }
    const outs = callBrick(this, all as SymbolicTensor[]);
    return (outs.length === 1 ? outs[0] : outs) as Out;
  }

  /** Initial states: one [units] per state (h; LSTM: h and c), as Keras' RNN takes them. */
  checkInitialState(shapes: readonly Shape[]): void {
    const { units } = this.config;
    const names = this.stateNames.join(', ');
    if (shapes.length !== this.stateNames.length) {
      throw new BrickError(
        `${this.label}: initialState must hold ${this.stateNames.length} state(s) (${names}), received ${shapes.length}`,
        this.label,
      );
    }
    shapes.forEach((shape, i) => {
      if (shape.length !== 1 || shape[0] !== units) {
        throw new BrickError(
          `${this.label}: initial state ${this.stateNames[i]} must have shape ${formatShape([null, units])}, received ${formatShape([null, ...shape])}`,
          this.label,
        );
      }
    });
  }

  /** Built by a first forward call, the brick takes sequences of any length, as Keras' RNN layers do. */
  protected override checkInput(x: tf.Tensor): void {
    if (!this.built && x.rank === 3) this.build([null, x.shape[2] as number]);
    super.checkInput(x);
  }

  /** The bias variable (LSTM's unit forget bias, GRU's two rows differ). Default: [gates·units]. */
  protected makeBias(): tf.Variable {
    return makeVariable(this.name, 'bias', this.config.biasInitializer, [this.gates * this.config.units]);
  }

  override regularizers(): Partial<Record<keyof RecurrentParams, Regularizer>> {
    const { kernelRegularizer, recurrentRegularizer, biasRegularizer } = this.config;
    let made = regularizerCache.get(this.config);
    if (!made) {
      made = {
        ...(kernelRegularizer && { kernel: makeRegularizer(kernelRegularizer) }),
        ...(recurrentRegularizer && { recurrentKernel: makeRegularizer(recurrentRegularizer) }),
        ...(biasRegularizer && this.params.bias && { bias: makeRegularizer(biasRegularizer) }),
      };
      regularizerCache.set(this.config, made);
    }
    return made;
  }

  /** Zeroes the carried states of a stateful brick (Keras' reset_states); a no-op otherwise. */
  resetStates(): void {
    tf.tidy(() => {
      for (const v of Object.values(this.state)) v.assign(tf.zerosLike(v));
    });
  }

  /**
   * Per-sequence work before the loop: each step's input from x̃ ([T·B, D], after dropout) and what steps
   * share; `whole`: whether wholeSequence will be asked (no mask, no recurrent dropout).
   */
  protected abstract begin(x: tf.Tensor, time: number, whole: boolean): { inputs: X[]; shared: C };

  /** One step: the new states (h first) from this step's input, the states before it and h ⊙ m_h. */
  protected abstract step(
    x: X,
    states: readonly tf.Tensor[],
    hIn: tf.Tensor,
    shared: C,
  ): { next: tf.Tensor[]; saved: Saved };

  /**
   * All steps as one, where the brick can: it is asked only without a mask and without recurrent dropout.
   * null (the default) runs the steps one by one.
   */
  protected wholeSequence(_inputs: X[], _states: readonly tf.Tensor[], _shared: C): WholeSequence<Saved> | null {
    return null;
  }

  /**
   * Backward through every step, last to first, from the gradients of the final states (h first; dy
   * already added when y is h_T) and, with returnSequences, each step's dy (dY, time-major [T·B, units]).
   */
  protected abstract throughTime(cache: RecurrentCache<Saved>, dFinal: tf.Tensor[], dY: tf.Tensor | null): CellGrads;

  forward(x: tf.Tensor, opts: ForwardOptions): { y: tf.Tensor; cache: RecurrentCache<Saved>; extra?: tf.Tensor[] } {
    this.checkInput(x);
    const [batch, time, inputDim] = x.shape as [number, number, number];
    const { units, dropout, recurrentDropout, goBackwards, returnSequences, returnState, stateful } = this.config;
    if (time === 0)
      throw new BrickError(`${this.label}: input has no time steps, received ${formatShape(x.shape)}`, this.label);
    if (stateful && batch !== this.config.batchSize) {
      throw new BrickError(
        `${this.label}: stateful with batchSize ${this.config.batchSize} received a batch of ${batch}`,
        this.label,
      );
    }
    const mask = opts.mask ?? null;
    const initial = opts.initialState ?? null;
    if (initial) {
      this.checkInitialState(initial.map((t) => t.shape.slice(1)));
      initial.forEach((t, i) => {
        if (t.shape[0] !== batch) {
          throw new BrickError(
            `${this.label}: initial state ${this.stateNames[i]} must have shape ${formatShape([batch, units])}, received ${formatShape(t.shape)}`,
            this.label,
          );
        }
      });
    }
    if (mask && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time)) {
      throw new BrickError(
        `${this.label}: mask must have shape ${formatShape([batch, time])}, received ${formatShape(mask.shape)}`,
        this.label,
      );
    }
    return tidy(() => {
      const random = this.stream ?? rng();
      const training = opts.training;
      const mx = training && dropout > 0 ? dropoutMask(random, dropout, [batch, inputDim]) : null;
      const mh = training && recurrentDropout > 0 ? dropoutMask(random, recurrentDropout, [batch, units]) : null;
      // The elementwise op before the transpose matters on webgpu: a float32 tensor cast from int32 (a
      // one-hot input) keeps int data there, which Transpose reads raw; the op's output is float data.
      const x2 = timeMajor(tf.mul(x, mx ? tf.expandDims(mx, 1) : 1), goBackwards);
      // All steps as one is asked for only without a mask and without recurrent dropout.
      const asOne = !mask && !mh;
      const { inputs, shared } = this.begin(x2, time, asOne);

      // The mask as 0/1 floats in the loop's order ([B, T], and time-major [T·B, 1]); per step, m_s and
      // 1 - m_s as [B, 1] columns.
      let mf: tf.Tensor | null = null;
      let mt: tf.Tensor | null = null;
      let use: tf.Tensor[] = [];
      let skip: tf.Tensor[] = [];
      if (mask) {
        mf = tf.cast(tf.cast(mask, 'bool'), 'float32');
        if (goBackwards) mf = tf.reverse(mf, 1);
        mt = tf.reshape(tf.transpose(mf), [time * batch, 1]);
        use = steps(mt, time);
        skip = steps(tf.sub(1, mt), time);
      }

      // Given initial states come first, then a stateful brick's carried ones (Keras), else zeros.
      let states: tf.Tensor[] = initial
        ? [...initial]
        : stateful
          ? this.stateNames.map((s) => tf.clone(this.state[s] as tf.Variable))
          : this.stateNames.map(() => tf.zeros([batch, units]));
      const hIn: tf.Tensor[] = [];
      const saved: Saved[] = [];
      const hs: tf.Tensor[] = [];
      const whole = asOne ? this.wholeSequence(inputs, states, shared) : null;
      if (whole) {
        states = whole.states;
        hIn.push(whole.hIn);
        saved.push(whole.saved);
        hs.push(whole.hs);
      }
      for (let s = 0; !whole && s < time; s++) {
        const h = at(states, 0);
        const hi = mh ? tf.mul(h, mh) : h;
        const { next, saved: kept } = this.step(at(inputs, s), states, hi, shared);
        // A masked step carries the states: n ⊙ m + prev ⊙ (1 - m) is exact for m in {0, 1}, and costs
        // three kernels to tf.where's four (it clones its operands to broadcast them).
        const [m, carry] = [use[s], skip[s]];
        states = m && carry ? next.map((n, i) => tf.add(tf.mul(n, m), tf.mul(at(states, i), carry))) : next;
        hIn.push(hi);
        saved.push(kept);
        hs.push(at(states, 0));
      }
      let y = returnSequences ? batchMajor(join(hs), batch) : at(states, 0);
      // Keras' output before an example's first used step is 0, not the carried state: it differs only
      // when the initial state is not zero, so only a stateful brick or given initial states pay for it.
      let seen: tf.Tensor | null = null;
      if ((stateful || initial) && mf) {
        seen = returnSequences
          ? tf.reshape(tf.cast(tf.greater(tf.cumsum(mf, 1), 0), 'float32'), [batch, time, 1])
          : tf.cast(tf.greater(tf.sum(mf, 1, true), 0), 'float32');
        y = tf.mul(y, seen);
      }
      if (stateful) {
        this.stateNames.forEach((s, i) => {
          (this.state[s] as tf.Variable).assign(at(states, i));
        });
      }
      const cache: RecurrentCache<Saved> = {
        batch,
        time,
        x: x2,
        mx,
        mh,
        m: mt,
        seen,
        initial: initial !== null,
        hIn,
        saved,
      };
      // Clones: with returnSequences false, y and the final h are one tensor, which a caller may dispose apart.
      return { y, cache, ...(returnState && { extra: states.map((t) => tf.clone(t)) }) };
    });
  }

  backward(dy: tf.Tensor, cache: RecurrentCache<Saved>, dExtra?: readonly (tf.Tensor | null)[]) {
    this.checkGrad(dy);
    return tf.tidy(() => {
      const { dXW, grads, dInitial } = this.gradients(dy, cache, dExtra);
      const { batch, mx } = cache;
      const dx = batchMajor(
        matMul(dXW as tf.Tensor2D, this.params.kernel as tf.Tensor2D, false, true),
        batch,
        this.config.goBackwards,
      );
      return { dx: mx ? tf.mul(dx, tf.expandDims(mx, 1)) : dx, grads, ...(dInitial && { dInitialState: dInitial }) };
    });
  }

  /** The parameter gradients alone, for the first brick of a model (no dx = dZ·Wᵀ). */
  paramGrads(dy: tf.Tensor, cache: RecurrentCache<Saved>): Grads<RecurrentParams> {
    this.checkGrad(dy);
    return tf.tidy(() => this.gradients(dy, cache).grads);
  }

  private gradients(
    dy: tf.Tensor,
    cache: RecurrentCache<Saved>,
    dExtra?: readonly (tf.Tensor | null)[],
  ): { dXW: tf.Tensor; grads: Grads<RecurrentParams>; dInitial?: tf.Tensor[] } {
    const { batch, seen } = cache;
    const { units, returnSequences } = this.config;
    const dOut = seen ? tf.mul(dy, seen) : dy;
    const dFinal = this.stateNames.map((name, i) => {
      const d = dExtra?.[i];
      if (!d) return tf.zeros([batch, units]);
      if (d.shape.length !== 2 || d.shape[0] !== batch || d.shape[1] !== units) {
        throw new BrickError(
          `${this.label}: gradient of the final state ${name} must have shape ${formatShape([batch, units])}, received ${formatShape(d.shape)}`,
          this.label,
        );
      }
      return d;
    });
    if (!returnSequences) dFinal[0] = tf.add(at(dFinal, 0), dOut);
    const dY = returnSequences ? timeMajor(dOut) : null;
    const { dXW, kernel, recurrentKernel, bias, dInitial } = this.throughTime(cache, dFinal, dY);
    const grads: Grads<RecurrentParams> = {
      kernel: kernel ?? matMul(cache.x as tf.Tensor2D, dXW as tf.Tensor2D, true),
      recurrentKernel,
    };
    if (this.params.bias && bias) grads.bias = bias;
    return { dXW, grads, ...(dInitial && { dInitial }) };
  }
}

const regularizerCache = new WeakMap<object, Partial<Record<keyof RecurrentParams, Regularizer>>>();
