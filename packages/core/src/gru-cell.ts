/**
 * A GRU step's element-wise work (Keras 3's resetAfter, sigmoid gates, tanh) as one kernel on tfjs' wasm
 * backend (and on webgpu: webgpu-cells.ts), BrickmlGRUCell: from the step's share of XW ([x·W_zr + b_zr,
 * x·W_h + b_h] as xzr [B, 2U] and xh [B, U]), m = h_{t-1}·U + b_rec ([B, 3U], the step's product) and h_{t-1}:
 *   [z, r] = σ(xzr + m_zr) side by side, ĥ = tanh(xh + r·m_h), h_t = ĥ + z·(h_{t-1} - ĥ), and m_h,
 * in the order and rounding of the brick's tfjs ops, with sigmoid and tanh from wasm-math.ts. In tfjs ops
 * that is an add, a sigmoid, two splits, a product, an add, a tanh (80 µs alone for [32, 128] on wasm) and
 * three more. The GRU's backward pass already takes its local factors for all steps at once, from the
 * outputs (σ' and tanh' need only them). Like lstmCell, gruCell answers null while tfjs records a tape,
 * and elsewhere (another backend, own kernels off, U < 4): the brick then runs tfjs ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { address as at, cellKernelsRun, registerCellKernel, rowsOfVectors } from './cell-kernels.js';
import { ADD, type MathLocals, MUL, SUB, sigmoidV, tanhV } from './wasm-math.js';
import { get, v128Load as load, set, v128Store as store, tee } from './wasm-module.js';

const CELL = 'BrickmlGRUCell';

/** run(xzr, xh, m, hPrev, gates, hh, h, mh): byte offsets. Locals: 5 i32 (rowsOfVectors), then 9 v128s. */
function cellCode(rows: number, units: number): number[] {
  const [XZR, XH, M, HPREV, GATES, HH, H, MH] = [0, 1, 2, 3, 4, 5, 6, 7];
  const v = 13;
  const [Z, R, MHV, HHV] = [v, v + 1, v + 2, v + 3];
  const math: MathLocals = { v: v + 4, a: v + 5, x: v + 6, n: v + 7, r: v + 8 };
  const u4 = 4 * units;
  return rowsOfVectors(rows, units, 8, [3, 2, 1] as const, (P3, P2, P1) => [
    ...[...at(XZR, P2), ...load(0), ...at(M, P3), ...load(0), ...ADD, ...sigmoidV(math), ...set(Z)],
    ...[...at(XZR, P2), ...load(u4), ...at(M, P3), ...load(u4), ...ADD, ...sigmoidV(math), ...set(R)],
    ...[...at(GATES, P2), ...get(Z), ...store(0), ...at(GATES, P2), ...get(R), ...store(u4)],
    ...[...at(MH, P1), ...at(M, P3), ...load(2 * u4), ...tee(MHV), ...store(0)],
    // ĥ = tanh(xh + r·m_h)
    ...[...at(HH, P1), ...at(XH, P1), ...load(0), ...get(R), ...get(MHV), ...MUL, ...ADD, ...tanhV(math)],
    ...[...tee(HHV), ...store(0)],
    // h = ĥ + z·(h_{t-1} - ĥ)
    ...[...at(H, P1), ...get(HHV), ...get(Z), ...at(HPREV, P1), ...load(0), ...get(HHV), ...SUB, ...MUL, ...ADD],
    ...store(0),
  ]);
}

let registered = false;
function register(): void {
  registerCellKernel({
    name: CELL,
    inputs: ['xzr', 'xh', 'm', 'hPrev'],
    outputs: [2, 1, 1, 1],
    locals: [5, 9],
    code: cellCode,
  });
  registered = true;
}

/** The kernel's results. */
export interface GRUCellOutputs {
  /** [z, r] side by side, [B, 2U]. */
  gates: tf.Tensor2D;
  /** The candidate ĥ. */
  hh: tf.Tensor2D;
  h: tf.Tensor2D;
  /** m's last U columns, which r multiplies. */
  mh: tf.Tensor2D;
}

/**
 * A resetAfter GRU step with sigmoid gates and tanh, as one kernel of brickml's own; null where it does not
 * run (then the caller uses tfjs ops), including while tfjs records a tape.
 */
export function gruCell(xzr: tf.Tensor2D, xh: tf.Tensor2D, m: tf.Tensor2D, hPrev: tf.Tensor2D): GRUCellOutputs | null {
  const where = tf.engine().isTapeOn() ? null : cellKernelsRun(hPrev);
  if (!where) return null;
  const [rows, units] = hPrev.shape;
  const fits = (t: tf.Tensor2D, width: number) =>
    t.rank === 2 && t.dtype === 'float32' && t.shape[0] === rows && t.shape[1] === width * units;
  if (!fits(xzr, 2) || !fits(xh, 1) || !fits(m, 3)) return null;
  if (where === 'wasm' && !registered) register();
  const [gates, hh, h, mh] = tf.engine().runKernel(CELL, { xzr, xh, m, hPrev }, {}) as unknown as tf.Tensor2D[];
  return { gates, hh, h, mh } as GRUCellOutputs;
}
