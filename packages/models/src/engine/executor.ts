/**
 * The seam between a model's structure and the loops that train it. `forward(xs) → { ys, tape }` runs the
 * bricks and keeps on the tape what each backward needs; `backward(dys, tape) → { dxs, grads }` walks them
 * in reverse, summing the gradients of a tensor read by several bricks and of a brick called several times.
 * A chain (Sequential) and a graph (functional Model) implement it; nothing above the seam knows which.
 */
import type { Shape } from '@brickml/core';
import { BrickError } from '@brickml/core';
import { type Brick, isMultiInput } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';

/** What forward kept for backward: opaque to everything but the executor that wrote it. */
export interface Tape {
  readonly training: boolean;
}

/**
 * The gradient arriving at one model output: dL/dy, or, when `preActivation` is set, dL/dz at the input of
 * the output brick's activation (a loss's fused softmax/sigmoid gradient; see `Executor.fusableActivation`).
 */
export interface OutputGradient {
  dy: tf.Tensor;
  preActivation?: boolean;
}

/** Gradients by variable: a brick used several times adds into one entry. */
export type GradMap = Map<tf.Variable, tf.Tensor>;

export interface Executor {
  /** Shape of one example of each input, or null while unknown (a Sequential without inputShape). */
  inputShapes(): Shape[] | null;
  /** Shape of one example of each output (the model must be built). */
  outputShapes(): Shape[];
  /** The bricks and nested models in Keras' order: weights are listed brick by brick in this order. */
  members(): readonly Member[];
  /**
   * The activation of the brick producing output `i` when a loss may hand backward dL/dz for it instead
   * of dL/dy: the brick fuses an activation (`backwardFromPreActivation`) and nothing else reads the output.
   */
  fusableActivation(i: number): string | null;
  /**
   * `penalty`: the sum of the bricks' activity penalties of this pass, to add to the loss (null when none).
   * `masks`: each output's [batch, time] mask, or null (see `passMask`); `opts.masks` gives the inputs' masks
   * (a nested model's caller has them).
   */
  forward(xs: readonly tf.Tensor[], opts: ForwardOpts): ForwardResult;
  /**
   * Gradients of every trainable variable reached, and of the inputs when `inputGrads` (a nested model's
   * caller needs them; a top-level model does not, so its first bricks skip dx where they can).
   */
  backward(
    dys: readonly (OutputGradient | null)[],
    tape: Tape,
    opts: { inputGrads: boolean },
  ): { dxs: (tf.Tensor | null)[]; grads: GradMap };
}

export interface ForwardOpts {
  training: boolean;
  masks?: readonly (tf.Tensor | null)[];
}

export interface ForwardResult {
  ys: tf.Tensor[];
  tape: Tape;
  penalty: tf.Scalar | null;
  masks: (tf.Tensor | null)[];
}

/**
 * The mask a brick's output carries, Keras' rules: a brick with `computeMask` says; one that
 * `supportsMasking` passes its input's mask on; one that does not refuses a mask by name. A brick of several
 * inputs (a merge) keeps the steps every masked input keeps.
 */
export function passMask(
  brick: Brick,
  xs: readonly tf.Tensor[],
  masks: readonly (tf.Tensor | null)[],
): tf.Tensor | null {
  const given = masks.filter((m): m is tf.Tensor => m !== null && m !== undefined);
  if (isMultiInput(brick)) {
    if (given.length === 0) return null;
    return given.reduce((a, b) => tf.mul(a, b));
  }
  const mask = masks[0] ?? null;
  if (brick.computeMask) return brick.computeMask(xs[0] as tf.Tensor, mask);
  if (!mask) return null;
  if (!brick.supportsMasking) {
    throw new BrickError(
      `${brick.className} '${brick.name}' cannot take a mask: the steps of its input are masked (by Embedding with maskZero or Masking), and it does not support masking`,
      brick.name,
    );
  }
  return mask;
}

/** A brick, or a model used as a brick inside another model. */
export type Member = Brick | NestedModel;

/** What a graph needs from a model applied inside it. */
export interface NestedModel {
  readonly isModel: true;
  readonly className: string;
  readonly name: string;
  readonly executor: Executor;
  toSpec(): { className: string; config: object };
  dispose(): void;
}

export function isNestedModel(m: unknown): m is NestedModel {
  return (m as NestedModel | null)?.isModel === true;
}

/** Adds `g` into `sums[key]`: a variable's gradient over a brick's calls, a tensor's over its readers. */
export function accumulate<K>(sums: Map<K, tf.Tensor>, key: K, g: tf.Tensor): void {
  const prev = sums.get(key);
  sums.set(key, prev ? tf.add(prev, g) : g);
}

/** Adds every entry of `from` into `into`. */
export function merge(into: GradMap, from: GradMap): void {
  for (const [v, g] of from) accumulate(into, v, g);
}

/** Each brick's gradients keyed by param name, added into `grads` by variable. */
export function addBrickGrads(grads: GradMap, brick: Brick, byKey: Record<string, tf.Tensor>): void {
  for (const [key, v] of Object.entries(brick.params)) {
    const g = byKey[key];
    if (g) accumulate(grads, v, g);
  }
}

/** a + b where either may be missing. */
export function addPenalty(a: tf.Scalar | null, b: tf.Scalar | null | undefined): tf.Scalar | null {
  if (!b) return a;
  return a ? (tf.add(a, b) as tf.Scalar) : b;
}

/** Every leaf brick inside `members`, nested models opened, each once, in order. */
export function leafBricks(members: readonly Member[], seen = new Set<Member>()): Brick[] {
  const out: Brick[] = [];
  for (const m of members) {
    if (seen.has(m)) continue;
    seen.add(m);
    if (isNestedModel(m)) out.push(...leafBricks(m.executor.members(), seen));
    else out.push(m);
  }
  return out;
}
