/**
 * SimpleRNN (Keras 3), per step t:  z_t = XW_t + h_{t-1}·U,  h_t = φ(z_t)  (XW = x·W + b for all steps at once).
 * Backward from dh at step t:  dz_t = dh ⊙ φ'(z_t),  dh_{t-1} = dz_t·Uᵀ,  then dW, dU, db from the stacked dz.
 * With brickml's own products (wasm) a step's h_{t-1}·U starts from its rows of XW, read in place.
 */

import { columnSums, configObject, matMul, ownMatMul } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { activate, activationGrad } from '../activations/functions.js';
import { broadcast, matMulT } from '../ops.js';
import {
  at,
  type CellGrads,
  join,
  Recurrent,
  type RecurrentCache,
  type RecurrentOutput,
  recurrentFields,
  steps,
} from './recurrent.js';

export const SimpleRNNConfig = configObject(recurrentFields);
export type SimpleRNNConfig = z.input<typeof SimpleRNNConfig>;

/** A step's input: its XW_t, or its first row in XW for all steps (own products). */
type SimpleRNNInput = tf.Tensor | { XW: tf.Tensor2D; row: number };

/** What one step keeps: its pre-activation and its new state. */
interface SimpleRNNStep {
  z: tf.Tensor;
  h: tf.Tensor;
}

/**
 * A fully connected recurrence over a sequence [batch, time, features]: each step's state is φ of the
 * input's and the previous state's projections. With returnState, `apply` gives [y, h].
 *
 * @example
 * const rnn = new SimpleRNN({ units: 16, returnSequences: true });
 * const y = rnn.apply(input({ shape: [10, 4] })); // y.shape: [10, 16]
 */
export class SimpleRNN<C extends SimpleRNNConfig = SimpleRNNConfig> extends Recurrent<
  typeof SimpleRNNConfig,
  SimpleRNNInput,
  undefined,
  SimpleRNNStep,
  RecurrentOutput<C>
> {
  protected readonly gates = 1;
  protected readonly stateNames = ['h'] as const;

  constructor(config: C) {
    super('SimpleRNN', SimpleRNNConfig, config);
  }

  /** Each step's first row in XW (own products), or its XW_t. */
  protected begin(x: tf.Tensor, time: number): { inputs: SimpleRNNInput[]; shared: undefined } {
    const { kernel, bias } = this.params;
    const XW = matMul(x as tf.Tensor2D, kernel as tf.Tensor2D, false, false, { bias: bias as tf.Tensor1D | undefined });
    if (!ownMatMul()) return { inputs: steps(XW, time), shared: undefined };
    const batch = (x.shape[0] as number) / time;
    return { inputs: Array.from({ length: time }, (_, s) => ({ XW, row: s * batch })), shared: undefined };
  }

  protected step(xw: SimpleRNNInput, _states: readonly tf.Tensor[], hIn: tf.Tensor) {
    const U = this.params.recurrentKernel as tf.Tensor2D;
    const z =
      'XW' in xw
        ? matMul(hIn as tf.Tensor2D, U, false, false, {}, { to: xw.XW, row: xw.row })
        : tf.add(xw, matMul(hIn as tf.Tensor2D, U));
    const h = activate(this.config.activation, z);
    return { next: [h], saved: { z, h } };
  }

  protected throughTime(
    { time, m, mh, initial, hIn, saved }: RecurrentCache<SimpleRNNStep>,
    [dhLast]: tf.Tensor[],
    dY: tf.Tensor | null,
  ): CellGrads {
    const dys = dY && steps(dY, time);
    const Z = join(saved.map((s) => s.z));
    // φ'(z) for every step at once; 0 on a masked step, whose dh passes through to h_{t-1}.
    const K = activationGrad(
      this.config.activation,
      m ? broadcast(m, Z.shape) : tf.onesLike(Z),
      Z,
      join(saved.map((s) => s.h)),
    );
    const Ks = steps(K, time);
    const kept = m ? steps(tf.sub(1, m), time) : null;
    const UT = matMulT(this.params.recurrentKernel);
    const dzs: tf.Tensor[] = new Array(time);
    let dh = dhLast as tf.Tensor;
    for (let s = time - 1; s >= 0; s--) {
      if (dys) dh = tf.add(dh, at(dys, s));
      const dz = tf.mul(dh, at(Ks, s));
      dzs[s] = dz;
      if (s === 0 && !initial) break;
      let dhPrev: tf.Tensor = matMul(dz as tf.Tensor2D, UT);
      if (mh) dhPrev = tf.mul(dhPrev, mh);
      const skip = kept?.[s];
      dh = skip ? tf.add(dhPrev, tf.mul(dh, skip)) : dhPrev;
    }
    const dZ = join(dzs);
    return {
      dXW: dZ,
      ...(initial && { dInitial: [dh] }),
      recurrentKernel: matMul(join(hIn) as tf.Tensor2D, dZ as tf.Tensor2D, true),
      ...(this.params.bias && { bias: columnSums(dZ as tf.Tensor2D) }),
    };
  }
}
