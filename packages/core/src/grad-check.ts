import * as tf from '@tensorflow/tfjs-core';
import { BrickError } from './errors.js';
import { Random, setSeed } from './random.js';
import { concreteShape, type Shape } from './shape.js';

/** The part of the brick contract that gradient checking needs, for a brick of one input. */
export interface CheckableBrick {
  readonly multiInput?: false;
  readonly name: string;
  readonly className: string;
  readonly params: Record<string, tf.Variable>;
  readonly built?: boolean;
  build(inputShape: Shape): Shape;
  forward(x: tf.Tensor, opts: { training: boolean; mask?: tf.Tensor | null }): { y: tf.Tensor; cache: unknown };
  backward(dy: tf.Tensor, cache: unknown): { dx: tf.Tensor; grads: Record<string, tf.Tensor> };
}

/** The same for a brick of several inputs (Add, Concatenate): inputs and their gradients are arrays. */
export interface CheckableMultiInputBrick {
  readonly multiInput: true;
  readonly name: string;
  readonly className: string;
  readonly params: Record<string, tf.Variable>;
  readonly built?: boolean;
  build(inputShapes: readonly Shape[]): Shape;
  forward(xs: readonly tf.Tensor[], opts: { training: boolean }): { y: tf.Tensor; cache: unknown };
  backward(dy: tf.Tensor, cache: unknown): { dxs: tf.Tensor[]; grads: Record<string, tf.Tensor> };
}

export interface GradCheckOptions {
  /** Examples in the batch. Default 2. */
  batchSize?: number;
  /** Central-difference step. Default 1e-2 (float32 needs a large step). */
  epsilon?: number;
  /** Forward in training mode. Default false. */
  training?: boolean;
  /** Seed for the input, the upstream gradient, and (reset before every forward) the brick's own draws. */
  seed?: number;
  /**
   * The input to check at (an array for a brick of several inputs); default uniform in ±[0.1, 1] (kept
   * away from 0, where ReLU-like kinks sit).
   */
  input?: tf.Tensor | readonly tf.Tensor[];
  /** Most entries per tensor perturbed by finite differences (picked at random). Default 40. */
  maxChecks?: number;
  /** Size given to a free axis of the input shape (`[null, 4]`). Default 3. */
  freeSize?: number;
  /** Also compare with tfjs autodiff (needs the ops' gradients registered). Default true. */
  autodiff?: boolean;
  /** A [batch, time] mask handed to every forward call (bricks of one input with `supportsMasking`). */
  mask?: tf.Tensor;
}

export interface GradError {
  /** Worst |a - b| / max(|a|, |b|, 1e-3) over the checked entries. */
  maxRelError: number;
  maxAbsError: number;
}

export interface GradCheckReport {
  /** Backward pass against central finite differences, for 'x' (or 'x0', 'x1', ...) and every parameter. */
  finiteDifferences: Record<string, GradError>;
  /** Backward pass against tfjs autodiff, when requested. */
  autodiff?: Record<string, GradError>;
}

function setTo(v: tf.Variable, data: Float32Array): void {
  const t = tf.tensor(data, v.shape, 'float32');
  v.assign(t);
  t.dispose();
}

function compare(a: ArrayLike<number>, b: ArrayLike<number>, at?: ArrayLike<number>): GradError {
  let maxRelError = 0;
  let maxAbsError = 0;
  const n = at ? at.length : a.length;
  for (let k = 0; k < n; k++) {
    const i = at ? (at[k] as number) : k;
    const x = a[i] as number;
    const y = at ? (b[k] as number) : (b[i] as number);
    const abs = Math.abs(x - y);
    maxAbsError = Math.max(maxAbsError, abs);
    maxRelError = Math.max(maxRelError, abs / Math.max(Math.abs(x), Math.abs(y), 1e-3));
  }
  return { maxRelError, maxAbsError };
}

/**
 * Checks a brick's hand-written backward pass against central finite differences of
 * L = Σ y·r (r a fixed random upstream gradient) and, where the ops' gradients are registered,
 * against tfjs autodiff. Reports the worst error for the input ('x'; 'x0', 'x1', ... for a brick of
 * several inputs, whose `inputShape` is then an array of shapes) and each parameter.
 * Async because only async reads work on every backend.
 *
 * @example
 * const report = await gradCheck(new Dense({ units: 3 }), [4]);
 * expect(report.finiteDifferences.kernel.maxRelError).toBeLessThan(1e-2);
 */
export async function gradCheck(
  brick: CheckableBrick,
  inputShape: Shape,
  options?: GradCheckOptions,
): Promise<GradCheckReport>;
export async function gradCheck(
  brick: CheckableMultiInputBrick,
  inputShapes: readonly Shape[],
  options?: GradCheckOptions,
): Promise<GradCheckReport>;
export async function gradCheck(
  brick: CheckableBrick | CheckableMultiInputBrick,
  shapes: Shape | readonly Shape[],
  options: GradCheckOptions = {},
): Promise<GradCheckReport> {
  const {
    batchSize = 2,
    epsilon = 1e-2,
    training = false,
    seed = 1234,
    maxChecks = 40,
    autodiff = true,
    freeSize = 3,
  } = options;
  const rand = new Random(seed);
  const multi = brick.multiInput === true;
  const inputShapes = (multi ? shapes : [shapes]) as readonly Shape[];
  if (!brick.built) (brick.build as (s: Shape | readonly Shape[]) => Shape)(multi ? inputShapes : (shapes as Shape));
  const given = options.input === undefined ? [] : Array.isArray(options.input) ? options.input : [options.input];
  const xs: tf.Variable[] = [];
  for (const [k, inputShape] of inputShapes.entries()) {
    const fullShape = [batchSize, ...concreteShape(inputShape, freeSize)];
    const size = fullShape.reduce((a, b) => a * b, 1);
    const g = given[k] as tf.Tensor | undefined;
    const xData = g
      ? await g.data()
      : Float32Array.from({ length: size }, () => (rand.next() < 0.5 ? -1 : 1) * (0.1 + 0.9 * rand.next()));
    xs.push(tf.variable(tf.tensor(xData, fullShape, 'float32'), true, `${brick.name}_gradcheck_x${k}_${checks++}`));
  }
  const inputKeys = multi ? xs.map((_, k) => `x${k}`) : ['x'];
  const run = () => {
    setSeed(seed);
    return multi
      ? (brick as CheckableMultiInputBrick).forward(xs, { training })
      : (brick as CheckableBrick).forward(
          xs[0] as tf.Tensor,
          options.mask ? { training, mask: options.mask } : { training },
        );
  };
  const probe = tf.tidy(() => run().y);
  const r = tf.tensor(rand.uniformArray(probe.size, -1, 1), probe.shape, 'float32');
  const rData = await r.data();
  probe.dispose();

  const lossAt = async (): Promise<number> => {
    const y = tf.tidy(() => run().y);
    const yData = await y.data();
    y.dispose();
    let s = 0;
    for (let i = 0; i < yData.length; i++) s += (yData[i] as number) * (rData[i] as number);
    return s;
  };

  const targets: Record<string, tf.Variable> = { ...brick.params };
  inputKeys.forEach((key, k) => {
    targets[key] = xs[k] as tf.Variable;
  });
  const analytic: Record<string, Float32Array> = {};
  {
    const { dxs, grads } = tf.tidy(() => {
      const { cache } = run();
      if (multi) return (brick as CheckableMultiInputBrick).backward(r, cache);
      const out = (brick as CheckableBrick).backward(r, cache);
      return { dxs: [out.dx], grads: out.grads };
    });
    if (dxs.length !== xs.length) {
      throw new BrickError(
        `${brick.className} '${brick.name}': backward returned ${dxs.length} input gradients for ${xs.length} inputs`,
        brick.name,
      );
    }
    for (const [k, dx] of dxs.entries()) {
      analytic[inputKeys[k] as string] = (await dx.data()) as Float32Array;
      dx.dispose();
    }
    for (const [k, g] of Object.entries(grads)) {
      analytic[k] = (await g.data()) as Float32Array;
      g.dispose();
    }
  }

  const finiteDifferences: Record<string, GradError> = {};
  for (const [key, v] of Object.entries(targets)) {
    const base = (await v.data()) as Float32Array;
    const picks = rand.permutation(base.length).slice(0, Math.min(maxChecks, base.length));
    const numeric = new Float32Array(picks.length);
    for (let k = 0; k < picks.length; k++) {
      const i = picks[k] as number;
      const probeData = Float32Array.from(base);
      probeData[i] = (base[i] as number) + epsilon;
      setTo(v, probeData);
      const plus = await lossAt();
      probeData[i] = (base[i] as number) - epsilon;
      setTo(v, probeData);
      const minus = await lossAt();
      numeric[k] = (plus - minus) / (2 * epsilon);
    }
    setTo(v, base);
    const a = analytic[key];
    if (!a)
      throw new BrickError(
        `${brick.className} '${brick.name}': backward returned no gradient for '${key}'`,
        brick.name,
      );
    finiteDifferences[key] = compare(a, numeric, picks);
  }

  let auto: Record<string, GradError> | undefined;
  if (autodiff) {
    const names = Object.keys(targets);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(run().y, r)) as tf.Scalar,
      names.map((k) => targets[k] as tf.Variable),
    );
    auto = {};
    for (const k of names) {
      const v = targets[k] as tf.Variable;
      const g = grads[v.name];
      const data = g ? await g.data() : new Float32Array(v.size);
      auto[k] = compare(analytic[k] as Float32Array, data);
    }
    for (const g of Object.values(grads)) g.dispose();
  }
  r.dispose();
  tf.dispose(xs);
  return auto ? { finiteDifferences, autodiff: auto } : { finiteDifferences };
}

let checks = 0;
