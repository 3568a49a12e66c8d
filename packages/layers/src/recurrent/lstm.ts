/**
 * LSTM (Keras 3; gates i, f, c, o side by side in the columns of W, U and b), per step t:
 *   z = XW_t + h_{t-1}·U,  i = σ(z_i),  f = σ(z_f),  g = φ(z_g),  o = σ(z_o),  c_t = f ⊙ c_{t-1} + i ⊙ g,
 *   h_t = o ⊙ φ(c_t)  (σ: recurrentActivation, φ: activation; XW = x·W + b for all steps, see recurrent.ts).
 * Backward from dh, dc at step t:  e = dc + dh ⊙ o ⊙ φ'(c_t),  dz = [e ⊙ g ⊙ σ'(z_i), e ⊙ c_{t-1} ⊙ σ'(z_f),
 *   e ⊙ i ⊙ φ'(z_g), dh ⊙ φ(c_t) ⊙ σ'(z_o)],  dc_{t-1} = e ⊙ f,  dh_{t-1} = dz·Uᵀ,  then dW, dU, db from dz.
 * With brickml's own products (wasm), XW is one product for all steps and a step's h_{t-1}·U starts from its
 * rows of XW, read in place; so on webgpu where the steps run as one (lstmSequence); elsewhere a step
 * computes x_t·W + h_{t-1}·U + b as [x_t, h_{t-1}, 1]·[W; U; b], one matMul (a slice and an add would cost
 * more kernels than the concat).
 */

import {
  columnSums,
  configObject,
  formula as F,
  type Formula,
  lstmCell,
  lstmCellGrad,
  lstmSequence,
  lstmSequenceGrad,
  lstmSequenceRuns,
  matMul,
  ownMatMul,
  splitColumns,
} from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ActivationName, activate, activationGrad, activationGradFormula } from '../activations/functions.js';
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
  type WholeSequence,
} from './recurrent.js';

export const LSTMConfig = configObject(recurrentFields, {
  /** Activation of the gates i, f and o. Default: sigmoid. */
  recurrentActivation: ActivationName.default('sigmoid'),
  /** Start the forget gate's bias at 1 (the other gates' at biasInitializer), as Keras. Default: true. */
  unitForgetBias: z.boolean().default(true),
});
export type LSTMConfig = z.input<typeof LSTMConfig>;

/**
 * What one step keeps: the new cell state and φ of it, the state before, and the gates: side by side as
 * lstmCell made them, or each with its pre-activation (tfjs ops).
 */
type LSTMStep = { c: tf.Tensor; phiC: tf.Tensor; cPrev: tf.Tensor } & (
  | { gates: tf.Tensor }
  | {
      zi: tf.Tensor;
      zf: tf.Tensor;
      zg: tf.Tensor;
      zo: tf.Tensor;
      i: tf.Tensor;
      f: tf.Tensor;
      g: tf.Tensor;
      o: tf.Tensor;
    }
);

/**
 * What the steps run as one kernel (lstmSequence) keep for all steps, time-major: the gates, φ(c_t), the
 * states c_{t-1} and the final c.
 */
type LSTMSequence = { sequence: { gates: tf.Tensor2D; phiC: tf.Tensor2D; cIn: tf.Tensor2D; c: tf.Tensor2D } };
type LSTMSaved = LSTMStep | LSTMSequence;

/**
 * What a step takes in: its first row in XW = x·W + b for all steps (own products), or x_t with K = [W; U; b]
 * stacked, so that [x_t, h_{t-1}, 1]·K is one matMul per step, and the column of ones (or null without a bias).
 */
type LSTMInput = { XW: tf.Tensor2D; row: number } | { x: tf.Tensor; K: tf.Tensor2D; ones: tf.Tensor | null };

/**
 * Long short-term memory over a sequence [batch, time, features]: a cell state c carried through time
 * under input, forget and output gates. With returnState, `apply` gives [y, h, c].
 *
 * @example
 * const lstm = new LSTM({ units: 32, returnSequences: true });
 * const y = lstm.apply(input({ shape: [null, 8] })); // y.shape: [null, 32]
 */
export class LSTM<C extends LSTMConfig = LSTMConfig> extends Recurrent<
  typeof LSTMConfig,
  LSTMInput,
  undefined,
  LSTMSaved,
  RecurrentOutput<C>
> {
  protected readonly gates = 4;
  protected readonly stateNames = ['h', 'c'] as const;

  constructor(config: C) {
    super('LSTM', LSTMConfig, config);
  }

  /** Keras' default activations (tanh, sigmoid gates): the ones brickml's cell and loop kernels compute. */
  private kerasActivations(): boolean {
    return this.config.activation === 'tanh' && this.config.recurrentActivation === 'sigmoid';
  }

  protected override makeBias(): tf.Variable {
    const { units, biasInitializer, unitForgetBias } = this.config;
    const bias = makeVariable(this.name, 'bias', biasInitializer, [4 * units]);
    if (unitForgetBias) {
      tf.tidy(() => {
        const [bi, , rest] = tf.split(bias, [units, units, 2 * units]) as Tensors<3>;
        bias.assign(tf.concat([bi, tf.ones([units]), rest]));
      });
    }
    return bias;
  }

  /**
   * Each step's first row in XW: with brickml's own products, and where the steps will run as one
   * (lstmSequence); else its x_t, taken from x̃ (narrower than XW: wasm's Slice copies its whole input per
   * part).
   */
  protected begin(x: tf.Tensor, time: number, whole: boolean): { inputs: LSTMInput[]; shared: undefined } {
    const { kernel, recurrentKernel, bias } = this.params;
    const batch = (x.shape[0] as number) / time;
    const asOne = whole && this.kerasActivations() && lstmSequenceRuns(batch, this.config.units, time);
    if (ownMatMul() || asOne) {
      const XW = matMul(x as tf.Tensor2D, kernel as tf.Tensor2D, false, false, {
        bias: bias as tf.Tensor1D | undefined,
      });
      return { inputs: Array.from({ length: time }, (_, s) => ({ XW, row: s * batch })), shared: undefined };
    }
    const K = tf.concat(bias ? [kernel, recurrentKernel, tf.reshape(bias, [1, -1])] : [kernel, recurrentKernel], 0);
    const ones = bias ? tf.ones([batch, 1]) : null;
    return { inputs: steps(x, time).map((xs) => ({ x: xs, K: K as tf.Tensor2D, ones })), shared: undefined };
  }

  /**
   * All steps as one kernel each way (lstmSequence), where XW was made once (own products on wasm; on
   * webgpu where begin found that the loop runs) and the activations are Keras' defaults.
   */
  protected override wholeSequence(inputs: LSTMInput[], states: readonly tf.Tensor[]): WholeSequence<LSTMSaved> | null {
    const first = inputs[0];
    if (!first || !('XW' in first) || !this.kerasActivations()) return null;
    const U = this.params.recurrentKernel as tf.Tensor2D;
    const run = lstmSequence(first.XW, U, at(states, 0) as tf.Tensor2D, at(states, 1) as tf.Tensor2D);
    if (!run) return null;
    const { gates, phiC, cIn, hIn, hs, h, c } = run;
    return { hs, hIn, states: [h, c], saved: { sequence: { gates, phiC, cIn, c } } };
  }

  protected step(input: LSTMInput, states: readonly tf.Tensor[], hIn: tf.Tensor) {
    const { activation, recurrentActivation } = this.config;
    const cPrev = at(states, 1);
    const z =
      'XW' in input
        ? matMul(
            hIn as tf.Tensor2D,
            this.params.recurrentKernel as tf.Tensor2D,
            false,
            false,
            {},
            { to: input.XW, row: input.row },
          )
        : matMul(tf.concat(input.ones ? [input.x, hIn, input.ones] : [input.x, hIn], 1) as tf.Tensor2D, input.K);
    // Keras' default activations: one kernel of brickml's own where it runs (lstm-cell.ts).
    const cell = this.kerasActivations() ? lstmCell(z, cPrev as tf.Tensor2D) : null;
    if (cell) {
      const { gates, c, phiC, h } = cell;
      return { next: [h, c], saved: { gates, c, phiC, cPrev } };
    }
    const [zi, zf, zg, zo] = splitColumns(z as tf.Tensor2D, 4) as Tensors<4>;
    const i = activate(recurrentActivation, zi);
    const f = activate(recurrentActivation, zf);
    const g = activate(activation, zg);
    const o = activate(recurrentActivation, zo);
    const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g));
    const phiC = activate(activation, c);
    const h = tf.mul(o, phiC);
    return { next: [h, c], saved: { zi, zf, zg, zo, i, f, g, o, c, phiC, cPrev } };
  }

  /**
   * The local factors are taken per step from what the step kept: computing them for all steps at once
   * would need each step's share cut back out of the stacked result, which costs more on wasm.
   */
  protected throughTime(
    { time, m, mh, initial, hIn, saved: all }: RecurrentCache<LSTMSaved>,
    [dhLast, dcLast]: tf.Tensor[],
    dY: tf.Tensor | null,
  ): CellGrads {
    const { activation, recurrentActivation } = this.config;
    const whole = all[0] && 'sequence' in all[0] ? all[0].sequence : null;
    if (whole) {
      const [dh, dc] = [dhLast, dcLast] as [tf.Tensor2D, tf.Tensor2D];
      const U = this.params.recurrentKernel as tf.Tensor2D;
      const run = lstmSequenceGrad(dY as tf.Tensor2D | null, dh, dc, whole, U, initial);
      if (run) {
        const dZ = run.dZ;
        return {
          dXW: dZ,
          ...(initial && { dInitial: [run.dh0 as tf.Tensor, run.dc0 as tf.Tensor] }),
          recurrentKernel: matMul(at(hIn, 0) as tf.Tensor2D, dZ, true),
          ...(this.params.bias && { bias: columnSums(dZ) }),
        };
      }
    }
    // Step by step, also after a forward as one where the backward kernel does not run now.
    const saved = whole ? stepsOf(whole, time) : (all as LSTMStep[]);
    const dys = dY && steps(dY, time);
    const local = localFactors(activation, recurrentActivation);
    const [use, kept] = m ? [steps(m, time), steps(tf.sub(1, m), time)] : [null, null];
    const UT = matMulT(this.params.recurrentKernel);
    const dzs: tf.Tensor[] = new Array(time);
    let dh = dhLast as tf.Tensor;
    let dc = dcLast as tf.Tensor;
    for (let s = time - 1; s >= 0; s--) {
      if (dys) dh = tf.add(dh, at(dys, s));
      // A masked step's dz is 0 (dh and dc scaled by its mask) and its dh, dc pass through to the step before.
      const ms = use?.[s];
      const dhm = ms ? tf.mul(dh, ms) : dh;
      const dcm = ms ? tf.mul(dc, ms) : dc;
      const { dz, dcPrev: dcBack } = stepGrad(at(saved, s), dhm, dcm, local, activation, recurrentActivation);
      dzs[s] = dz;
      if (s === 0 && !initial) break;
      let dcPrev = dcBack();
      let dhPrev = matMul(dz as tf.Tensor2D, UT);
      if (mh) dhPrev = tf.mul(dhPrev, mh);
      const skip = kept?.[s];
      if (skip) {
        dcPrev = tf.add(dcPrev, tf.mul(dc, skip));
        dhPrev = tf.add(dhPrev, tf.mul(dh, skip));
      }
      dh = dhPrev;
      dc = dcPrev;
    }
    const dZ = join(dzs);
    return {
      dXW: dZ,
      ...(initial && { dInitial: [dh, dc] }),
      recurrentKernel: matMul(join(hIn) as tf.Tensor2D, dZ as tf.Tensor2D, true),
      ...(this.params.bias && { bias: columnSums(dZ as tf.Tensor2D) }),
    };
  }
}

/** What each step of lstmSequence kept, as a step of its own keeps it. */
function stepsOf({ gates, phiC, cIn, c }: LSTMSequence['sequence'], time: number): LSTMStep[] {
  const [G, P, CI] = [gates, phiC, cIn].map((t) => steps(t, time)) as [tf.Tensor[], tf.Tensor[], tf.Tensor[]];
  return G.map((g, s) => ({ gates: g, phiC: at(P, s), cPrev: at(CI, s), c: s + 1 < time ? at(CI, s + 1) : c }));
}

/**
 * One step's dz (the gates' pre-activations, side by side) and dc_{t-1} (made when asked: the first step's
 * is not needed without initial states) from its masked dh and dc: one kernel where the forward ran
 * lstmCell and it runs now, else the local factors as formulas (sigmoid and tanh's derivatives need only
 * their outputs) or as tfjs ops (any activations).
 */
function stepGrad(
  saved: LSTMStep,
  dh: tf.Tensor,
  dc: tf.Tensor,
  local: ReturnType<typeof localFactors>,
  activation: ActivationName,
  recurrentActivation: ActivationName,
): { dz: tf.Tensor; dcPrev: () => tf.Tensor } {
  const { c, phiC, cPrev } = saved;
  if ('gates' in saved) {
    const fused = lstmCellGrad(
      dh as tf.Tensor2D,
      dc as tf.Tensor2D,
      saved.gates as tf.Tensor2D,
      phiC as tf.Tensor2D,
      cPrev as tf.Tensor2D,
    );
    if (fused) return { dz: fused.dz, dcPrev: () => fused.dcPrev };
  }
  const [i, f, g, o] =
    'gates' in saved
      ? (splitColumns(saved.gates as tf.Tensor2D, 4) as Tensors<4>)
      : [saved.i, saved.f, saved.g, saved.o];
  if (local) {
    const run = F.runFormula;
    const e = run(local.e, [dc, dh, o, phiC]);
    const dz = tf.concat(
      [
        run(local.rec, [e, g, i]),
        run(local.rec, [e, cPrev, f]),
        run(local.act, [e, i, g]),
        run(local.rec, [dh, phiC, o]),
      ],
      1,
    );
    return { dz, dcPrev: () => tf.mul(e, f) };
  }
  // Only a step of tfjs ops gets here (lstmCell runs for sigmoid and tanh alone, whose factors are formulas).
  const { zi, zf, zg, zo } = saved as Extract<LSTMStep, { zi: tf.Tensor }>;
  const e = tf.add(dc, activationGrad(activation, tf.mul(dh, o), c, phiC));
  const dz = tf.concat(
    [
      activationGrad(recurrentActivation, tf.mul(e, g), zi, i),
      activationGrad(recurrentActivation, tf.mul(e, cPrev), zf, f),
      activationGrad(activation, tf.mul(e, i), zg, g),
      activationGrad(recurrentActivation, tf.mul(dh, phiC), zo, o),
    ],
    1,
  );
  return { dz, dcPrev: () => tf.mul(e, f) };
}

/**
 * The backward step's local factors as formulas, where both activations' derivatives need only their
 * outputs (sigmoid, tanh): e = dc + φ'(dh·o) over [dc, dh, o, φ(c)], and a gate's dz = σ'(a·b) over [a, b,
 * gate] (or φ' for g), each one kernel on webgpu and wasm and the same ops, in the same order, elsewhere.
 */
function localFactors(activation: ActivationName, recurrentActivation: ActivationName) {
  const [A, B, C, D] = [0, 1, 2, 3].map(F.inputOf) as [Formula, Formula, Formula, Formula];
  const phi = activationGradFormula(activation, F.mul(B, C), D);
  const rec = activationGradFormula(recurrentActivation, F.mul(A, B), C);
  const act = activationGradFormula(activation, F.mul(A, B), C);
  return phi && rec && act ? { e: F.add(A, phi), rec, act } : null;
}
