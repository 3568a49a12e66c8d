/**
 * GRU (Keras 3; gates z, r, h side by side in the columns of W, U and b; XW = x·W + b_x for all steps), step t:
 *   resetAfter (default): [m_z, m_r, m_h] = h_{t-1}·U + b_h,  z = σ(XW_z + m_z),  r = σ(XW_r + m_r),
 *     ĥ = φ(XW_h + r ⊙ m_h);  without: [z, r] as before with m = h_{t-1}·U_zr, ĥ = φ(XW_h + (r ⊙ h_{t-1})·U_h);
 *   h_t = z ⊙ h_{t-1} + (1 - z) ⊙ ĥ  (σ: recurrentActivation, φ: activation; b = [b_x; b_h] is [2, 3·units]).
 * Backward from dh:  dz̃ = dh ⊙ (h_{t-1} - ĥ) ⊙ σ'(z̃),  dã = dh ⊙ (1 - z) ⊙ φ'(ã)  (z̃, ã: the pre-activations);
 *   resetAfter: dr̃ = dã ⊙ m_h ⊙ σ'(r̃),  dm = [dz̃, dr̃, dã ⊙ r],  dh_{t-1} = dh ⊙ z + dm·Uᵀ;  without:
 *   d(r ⊙ h) = dã·U_hᵀ,  dr̃ = d(r ⊙ h) ⊙ h_{t-1} ⊙ σ'(r̃),  dh_{t-1} = dh ⊙ z + [dz̃, dr̃]·U_zrᵀ + d(r ⊙ h) ⊙ r.
 */

import { columnSums, configObject, gruCell, matMul, splitColumns } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ActivationName, activate, activationGrad, activationGradFromY } from '../activations/functions.js';
import { makeVariable } from '../initializers.js';
import { matMulT } from '../ops.js';
import {
  at,
  type CellGrads,
  join,
  Recurrent,
  type RecurrentCache,
  type RecurrentOutput,
  recurrentFields,
  steps,
  type Tensors,
} from './recurrent.js';

export const GRUConfig = configObject(recurrentFields, {
  /** Activation of the gates z and r. Default: sigmoid. */
  recurrentActivation: ActivationName.default('sigmoid'),
  /**
   * Apply the reset gate after the recurrent matMul, with a bias of its own (Keras 3 and cuDNN), rather
   * than to h before it (Keras 2, tfjs-layers). Default: true.
   */
  resetAfter: z.boolean().default(true),
});
export type GRUConfig = z.input<typeof GRUConfig>;

/** One step's share of XW: the z and r columns, then the h columns. */
type GRUInput = [tf.Tensor, tf.Tensor];

/** What the steps of a sequence share: resetAfter's recurrent bias, or U split into U_zr and U_h. */
interface GRUShared {
  bh: tf.Tensor | null;
  Uzr: tf.Tensor | null;
  Uh: tf.Tensor | null;
}

/**
 * What one step keeps: ĥ, the state before, m_h (resetAfter) or r ⊙ h_{t-1} ⊙ m_rec (without), and the
 * gates: side by side as gruCell made them, or each with the pre-activations of z, r (side by side) and ĥ.
 */
type GRUStep = { hh: tf.Tensor; hPrev: tf.Tensor; mh: tf.Tensor } & (
  | { gates: tf.Tensor }
  | { zr: tf.Tensor; z: tf.Tensor; r: tf.Tensor; a: tf.Tensor }
);

/**
 * Gated recurrent unit over a sequence [batch, time, features]: an update gate z mixes the state
 * with a candidate built through a reset gate r. With returnState, `apply` gives [y, h].
 *
 * @example
 * const gru = new GRU({ units: 32 });
 * const y = gru.apply(input({ shape: [null, 8] })); // y.shape: [32]
 */
export class GRU<C extends GRUConfig = GRUConfig> extends Recurrent<
  typeof GRUConfig,
  GRUInput,
  GRUShared,
  GRUStep,
  RecurrentOutput<C>
> {
  protected readonly gates = 3;
  protected readonly stateNames = ['h'] as const;

  constructor(config: C) {
    super('GRU', GRUConfig, config);
  }

  protected override makeBias(): tf.Variable {
    const { units, biasInitializer, resetAfter } = this.config;
    return makeVariable(this.name, 'bias', biasInitializer, resetAfter ? [2, 3 * units] : [3 * units]);
  }

  protected begin(x: tf.Tensor, time: number) {
    const { units, resetAfter } = this.config;
    const { kernel, bias, recurrentKernel } = this.params;
    const xw = matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
    let bx: tf.Tensor | null = bias ?? null;
    let bh: tf.Tensor | null = null;
    if (bias && resetAfter) [bx, bh] = tf.unstack(bias) as Tensors<2>;
    const [xzr, xh] = splitColumns((bx ? tf.add(xw, bx) : xw) as tf.Tensor2D, [2 * units, units]) as Tensors<2>;
    const zr = steps(xzr, time);
    const h = steps(xh, time);
    const [Uzr, Uh] = resetAfter
      ? [null, null]
      : (splitColumns(recurrentKernel as tf.Tensor2D, [2 * units, units]) as Tensors<2>);
    return { inputs: zr.map((t, s): GRUInput => [t, at(h, s)]), shared: { bh, Uzr, Uh } };
  }

  protected step([xzr, xh]: GRUInput, states: readonly tf.Tensor[], hIn: tf.Tensor, shared: GRUShared) {
    const { units, activation, recurrentActivation, resetAfter } = this.config;
    const hPrev = at(states, 0);
    let zr: tf.Tensor;
    let a: tf.Tensor;
    let mh: tf.Tensor;
    let z: tf.Tensor;
    let r: tf.Tensor;
    if (resetAfter) {
      const U = this.params.recurrentKernel as tf.Tensor2D;
      const m = matMul(hIn as tf.Tensor2D, U, false, false, { bias: (shared.bh as tf.Tensor1D | null) ?? undefined });
      // Keras' default activations: one kernel of brickml's own where it runs (gru-cell.ts).
      const cell =
        activation === 'tanh' && recurrentActivation === 'sigmoid'
          ? gruCell(xzr as tf.Tensor2D, xh as tf.Tensor2D, m, hPrev as tf.Tensor2D)
          : null;
      if (cell) {
        const { gates, hh, h, mh: mhh } = cell;
        return { next: [h], saved: { gates, hh, hPrev, mh: mhh } };
      }
      const [mzr, mhh] = splitColumns(m as tf.Tensor2D, [2 * units, units]) as Tensors<2>;
      zr = tf.add(xzr, mzr);
      [z, r] = splitColumns(activate(recurrentActivation, zr) as tf.Tensor2D, 2) as Tensors<2>;
      mh = mhh;
      a = tf.add(xh, tf.mul(r, mh));
    } else {
      zr = tf.add(xzr, matMul(hIn as tf.Tensor2D, shared.Uzr as tf.Tensor2D));
      [z, r] = splitColumns(activate(recurrentActivation, zr) as tf.Tensor2D, 2) as Tensors<2>;
      mh = tf.mul(r, hIn);
      a = tf.add(xh, matMul(mh as tf.Tensor2D, shared.Uh as tf.Tensor2D));
    }
    const hh = activate(activation, a);
    const h = tf.add(hh, tf.mul(z, tf.sub(hPrev, hh)));
    return { next: [h], saved: { zr, z, r, a, hh, hPrev, mh } };
  }

  protected throughTime(cache: RecurrentCache<GRUStep>, [dhLast]: tf.Tensor[], dY: tf.Tensor | null) {
    const dys = dY && steps(dY, cache.time);
    const { m, saved } = cache;
    const { activation, recurrentActivation, resetAfter } = this.config;
    const all = (pick: (s: GRUStep) => tf.Tensor) => join(saved.map(pick));
    const [HH, HPrev, MH] = [all((s) => s.hh), all((s) => s.hPrev), all((s) => s.mh)];
    // gruCell's steps keep the gates alone: their activations' derivatives need only the outputs.
    const { Z, R, Zt, Rt, A } = gatesOf(saved, all);
    // Every step's local factors at once, per unit of dh: dz̃ = dh ⊙ K1, dã = dh ⊙ K2. A masked step's are 0
    // and its dh passes through: the factor of dh on h_{t-1}, z, becomes 1.
    let K1 = derivative(recurrentActivation, tf.sub(HPrev, HH), Zt, Z);
    let K2 = derivative(activation, tf.sub(1, Z), A, HH);
    let pass = Z;
    if (m) {
      K1 = tf.mul(K1, m);
      K2 = tf.mul(K2, m);
      pass = tf.add(tf.mul(pass, m), tf.sub(1, m));
    }
    const factors = { K1, K2, pass, R, Rt, MH };
    return resetAfter
      ? this.resetAfterGrads(cache, dhLast as tf.Tensor, dys, factors)
      : this.resetBeforeGrads(cache, dhLast as tf.Tensor, dys, factors);
  }

  /** resetAfter: dm = dh ⊙ [K1, K2 ⊙ K3, K2 ⊙ r] with dr̃ = dã ⊙ K3; every factor per unit of dh. */
  private resetAfterGrads(
    { time, mh, initial, hIn }: RecurrentCache<GRUStep>,
    dhLast: tf.Tensor,
    dys: readonly tf.Tensor[] | null,
    { K1, K2, pass, R, Rt, MH }: Factors,
  ): CellGrads {
    const K2K3 = tf.mul(K2, derivative(this.config.recurrentActivation, MH, Rt, R));
    const KMs = steps(tf.concat([K1, K2K3, tf.mul(K2, R)], 1), time);
    const passes = steps(pass, time);
    const UT = matMulT(this.params.recurrentKernel);
    const dhs: tf.Tensor[] = new Array(time);
    const dms: tf.Tensor[] = new Array(time);
    let dh = dhLast;
    for (let s = time - 1; s >= 0; s--) {
      if (dys) dh = tf.add(dh, at(dys, s));
      dhs[s] = dh;
      // tf.concat, not tf.tile: wasm's Tile walks element by element.
      const dm = tf.mul(tf.concat([dh, dh, dh], 1), at(KMs, s));
      dms[s] = dm;
      if (s === 0 && !initial) break;
      let dhIn: tf.Tensor = matMul(dm as tf.Tensor2D, UT);
      if (mh) dhIn = tf.mul(dhIn, mh);
      dh = tf.add(dhIn, tf.mul(dh, at(passes, s)));
    }
    // The input side's gate gradients [dz̃, dr̃, dã], for all steps at once from the stacked dh.
    const dH = join(dhs);
    const dXW = tf.mul(tf.concat([dH, dH, dH], 1), tf.concat([K1, K2K3, K2], 1));
    const dM = join(dms);
    return {
      dXW,
      ...(initial && { dInitial: [dh] }),
      recurrentKernel: matMul(join(hIn) as tf.Tensor2D, dM as tf.Tensor2D, true),
      ...(this.params.bias && { bias: tf.stack([columnSums(dXW as tf.Tensor2D), columnSums(dM as tf.Tensor2D)]) }),
    };
  }

  /** Without resetAfter: r meets h before U_h, so d(r ⊙ h) = dã·U_hᵀ is a second matMul per step. */
  private resetBeforeGrads(
    { time, mh, initial, hIn, saved }: RecurrentCache<GRUStep>,
    dhLast: tf.Tensor,
    dys: readonly tf.Tensor[] | null,
    { K1, K2, pass, R, Rt }: Factors,
  ): CellGrads {
    const { units, recurrentActivation } = this.config;
    const HIn = join(hIn);
    // dr̃ = d(r ⊙ h) ⊙ K3: r multiplied h_{t-1} ⊙ m_h.
    const K3 = derivative(recurrentActivation, HIn, Rt, R);
    const [K1s, K2s, K3s, Rs, passes] = [K1, K2, K3, R, pass].map((t) => steps(t, time)) as tf.Tensor[][] as [
      tf.Tensor[],
      tf.Tensor[],
      tf.Tensor[],
      tf.Tensor[],
      tf.Tensor[],
    ];
    const [Uzr, Uh] = splitColumns(this.params.recurrentKernel as tf.Tensor2D, [2 * units, units]) as Tensors<2>;
    const UzrT = matMulT(Uzr);
    const UhT = matMulT(Uh);
    const dzrs: tf.Tensor[] = new Array(time);
    const das: tf.Tensor[] = new Array(time);
    let dh = dhLast;
    for (let s = time - 1; s >= 0; s--) {
      if (dys) dh = tf.add(dh, at(dys, s));
      const da = tf.mul(dh, at(K2s, s));
      const drh = matMul(da as tf.Tensor2D, UhT);
      const dzr = tf.concat([tf.mul(dh, at(K1s, s)), tf.mul(drh, at(K3s, s))], 1);
      dzrs[s] = dzr;
      das[s] = da;
      if (s === 0 && !initial) break;
      let dhIn = tf.add(matMul(dzr as tf.Tensor2D, UzrT), tf.mul(drh, at(Rs, s)));
      if (mh) dhIn = tf.mul(dhIn, mh);
      dh = tf.add(dhIn, tf.mul(dh, at(passes, s)));
    }
    const dZR = join(dzrs);
    const dA = join(das);
    const dXW = tf.concat([dZR, dA], 1);
    const RH = join(saved.map((s) => s.mh));
    return {
      dXW,
      ...(initial && { dInitial: [dh] }),
      recurrentKernel: tf.concat(
        [matMul(HIn as tf.Tensor2D, dZR as tf.Tensor2D, true), matMul(RH as tf.Tensor2D, dA as tf.Tensor2D, true)],
        1,
      ),
      ...(this.params.bias && { bias: columnSums(dXW as tf.Tensor2D) }),
    };
  }
}

interface Factors {
  K1: tf.Tensor;
  K2: tf.Tensor;
  pass: tf.Tensor;
  R: tf.Tensor;
  /** r's pre-activation, or null where the steps kept the gates alone (gruCell). */
  Rt: tf.Tensor | null;
  MH: tf.Tensor;
}

/**
 * Every step's gates z and r stacked, with their pre-activations and ĥ's (null where the steps kept the
 * gates alone: gruCell's).
 */
function gatesOf(saved: readonly GRUStep[], all: (pick: (s: GRUStep) => tf.Tensor) => tf.Tensor) {
  if ('gates' in (saved[0] as GRUStep)) {
    const [Z, R] = splitColumns(all((s) => (s as { gates: tf.Tensor }).gates) as tf.Tensor2D, 2) as Tensors<2>;
    return { Z, R, Zt: null, Rt: null, A: null };
  }
  const kept = saved as Extract<GRUStep, { zr: tf.Tensor }>[];
  const [Zt, Rt] = splitColumns(join(kept.map((s) => s.zr)) as tf.Tensor2D, 2) as Tensors<2>;
  return { Z: join(kept.map((s) => s.z)), R: join(kept.map((s) => s.r)), Zt, Rt, A: join(kept.map((s) => s.a)) };
}

/**
 * dy ⊙ f'(z) for f = `name`, y = f(z): from y alone where z was not kept (gruCell's steps, whose sigmoid
 * and tanh allow it).
 */
function derivative(name: ActivationName, dy: tf.Tensor, z: tf.Tensor | null, y: tf.Tensor): tf.Tensor {
  const dz = z ? activationGrad(name, dy, z, y) : activationGradFromY(name, dy, y);
  if (!dz) throw new Error(`GRU: ${name}'s derivative needs its input, which the step did not keep`);
  return dz;
}
