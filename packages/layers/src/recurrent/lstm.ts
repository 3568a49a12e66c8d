/**
 * LSTM (Keras 3; gates i, f, c, o side by side in the columns of W, U and b), per step t:
 *   z = XW_t + h_{t-1}·U,  i = σ(z_i),  f = σ(z_f),  g = φ(z_g),  o = σ(z_o),  c_t = f ⊙ c_{t-1} + i ⊙ g,
 *   h_t = o ⊙ φ(c_t)  (σ: recurrentActivation, φ: activation; XW = x·W + b for all steps, see recurrent.ts).
 * Backward from dh, dc at step t:  e = dc + dh ⊙ o ⊙ φ'(c_t),  dz = [e ⊙ g ⊙ σ'(z_i), e ⊙ c_{t-1} ⊙ σ'(z_f),
 *   e ⊙ i ⊙ φ'(z_g), dh ⊙ φ(c_t) ⊙ σ'(z_o)],  dc_{t-1} = e ⊙ f,  dh_{t-1} = dz·Uᵀ,  then dW, dU, db from dz.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ActivationName, activate, activationGrad } from '../activations/functions.js';
import { makeVariable } from '../initializers.js';
import { matMulT } from '../ops.js';
import {
  at,
  type CellGrads,
  join,
  Recurrent,
  type RecurrentCache,
  recurrentFields,
  steps,
  type Tensors,
} from './recurrent.js';

export const LSTMConfig = z.strictObject({
  ...recurrentFields,
  /** Activation of the gates i, f and o. Default: sigmoid. */
  recurrentActivation: ActivationName.default('sigmoid'),
  /** Start the forget gate's bias at 1 (the other gates' at biasInitializer), as Keras. Default: true. */
  unitForgetBias: z.boolean().default(true),
});
export type LSTMConfig = z.input<typeof LSTMConfig>;

/** What one step keeps: the pre-activation z, the gates, the new cell state and φ of it, the cell state before. */
interface LSTMStep {
  z: tf.Tensor;
  i: tf.Tensor;
  f: tf.Tensor;
  g: tf.Tensor;
  o: tf.Tensor;
  c: tf.Tensor;
  phiC: tf.Tensor;
  cPrev: tf.Tensor;
}

/**
 * Long short-term memory over a sequence [batch, time, features]: a cell state c carried through time
 * under input, forget and output gates. With returnState, `apply` gives [y, h, c].
 *
 * @example
 * const lstm = new LSTM({ units: 32, returnSequences: true });
 * const y = lstm.apply(input({ shape: [null, 8] })); // y.shape: [null, 32]
 */
export class LSTM extends Recurrent<typeof LSTMConfig, tf.Tensor, undefined, LSTMStep> {
  protected readonly gates = 4;
  protected readonly stateNames = ['h', 'c'] as const;

  constructor(config: LSTMConfig) {
    super('LSTM', LSTMConfig, config);
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

  protected begin(xw: tf.Tensor, time: number) {
    const { bias } = this.params;
    return { inputs: steps(bias ? tf.add(xw, bias) : xw, time), shared: undefined };
  }

  protected step(xw: tf.Tensor, states: readonly tf.Tensor[], hIn: tf.Tensor) {
    const { activation, recurrentActivation } = this.config;
    const cPrev = at(states, 1);
    const z = tf.add(xw, tf.matMul(hIn, this.params.recurrentKernel));
    const [zi, zf, zg, zo] = tf.split(z, 4, 1) as Tensors<4>;
    const i = activate(recurrentActivation, zi);
    const f = activate(recurrentActivation, zf);
    const g = activate(activation, zg);
    const o = activate(recurrentActivation, zo);
    const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g));
    const phiC = activate(activation, c);
    const h = tf.mul(o, phiC);
    return { next: [h, c], saved: { z, i, f, g, o, c, phiC, cPrev } };
  }

  protected throughTime(
    { time, m, mh, hIn, saved }: RecurrentCache<LSTMStep>,
    [dhLast, dcLast]: tf.Tensor[],
    dys: readonly tf.Tensor[] | null,
  ): CellGrads {
    const { activation, recurrentActivation } = this.config;
    const all = (key: keyof LSTMStep) => join(saved.map((s) => s[key]));
    const [I, F, G, O, C, PhiC, CPrev] = (['i', 'f', 'g', 'o', 'c', 'phiC', 'cPrev'] as const).map(all) as Tensors<7>;
    const [Zi, Zf, Zg, Zo] = tf.split(all('z'), 4, 1) as Tensors<4>;
    // Every step's local factors at once: dz = [e, e, e, dh] ⊙ Q with e = dc + dh ⊙ P; a masked step's dz is
    // 0 (Q and f scaled by the mask) and its dh, dc pass through to the step before.
    let Q = tf.concat(
      [
        activationGrad(recurrentActivation, G, Zi, I),
        activationGrad(recurrentActivation, CPrev, Zf, F),
        activationGrad(activation, I, Zg, G),
        activationGrad(recurrentActivation, PhiC, Zo, O),
      ],
      1,
    );
    const P = activationGrad(activation, O, C, PhiC);
    let Fm = F;
    if (m) {
      Q = tf.mul(Q, m);
      Fm = tf.mul(Fm, m);
    }
    const [Qs, Ps, Fs] = [Q, P, Fm].map((t) => steps(t, time)) as [tf.Tensor[], tf.Tensor[], tf.Tensor[]];
    const kept = m ? steps(tf.sub(1, m), time) : null;
    const UT = matMulT(this.params.recurrentKernel);
    const dzs: tf.Tensor[] = new Array(time);
    let dh = dhLast as tf.Tensor;
    let dc = dcLast as tf.Tensor;
    for (let s = time - 1; s >= 0; s--) {
      if (dys) dh = tf.add(dh, at(dys, s));
      const e = tf.add(dc, tf.mul(dh, at(Ps, s)));
      const dz = tf.mul(tf.concat([e, e, e, dh], 1), at(Qs, s));
      dzs[s] = dz;
      if (s === 0) break;
      let dcPrev = tf.mul(e, at(Fs, s));
      let dhPrev = tf.matMul(dz, UT);
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
      recurrentKernel: tf.matMul(matMulT(join(hIn)), dZ),
      ...(this.params.bias && { bias: tf.sum(dZ, 0) }),
    };
  }
}
