/**
 * An LSTM step's element-wise work as one kernel each way, on tfjs' wasm backend (and on webgpu:
 * webgpu-cells.ts), with Keras' default activations (sigmoid gates, tanh):
 * - BrickmlLSTMCell, forward, from z = [z_i, z_f, z_g, z_o] ([B, 4U], the step's product) and c_{t-1}:
 *   the gates [i, f, g, o] = [σ(z_i), σ(z_f), tanh(z_g), σ(z_o)] side by side as z, c_t = f·c_{t-1} + i·g,
 *   tanh(c_t) and h_t = o·tanh(c_t). In tfjs ops that is a split, five activations and four products and
 *   sums, 235-350 µs for B = 32, U = 128 (tfjs-wasm's Tanh alone takes 80), the kernel about 100; sigmoid
 *   and tanh here are wasm-math.ts'.
 * - BrickmlLSTMCellGrad, backward, from dh, dc and what the forward kept: e = dc + (dh·o)·(1 - tanh(c)²),
 *   dz = [(e·g)·σ'_i, (e·c_{t-1})·σ'_f, (e·i)·(1 - g²), (dh·tanh(c))·σ'_o] with σ' = y·(1 - y), and
 *   dc_{t-1} = e·f: the same operations in the same order as the LSTM brick's formulas, so the same bits
 *   (about 100 µs of tfjs kernels and formulas, the kernel 16). Its variant from dh + dy (LSTM_CELL_GRAD_DY)
 *   serves lstm-sequence.ts, which calls these kernels' compiled functions for all steps of a sequence.
 * Neither has a gradient of its own: lstmCell answers null while tfjs records a tape (tf.grad and the like),
 * and the brick then runs the step as tfjs ops that autodiff can follow. Both answer null elsewhere too
 * (another backend, own kernels off, U < 4).
 */
import * as tf from '@tensorflow/tfjs-core';
import { address as at, type CellSpec, cellKernelsRun, registerCellKernel, rowsOfVectors } from './cell-kernels.js';
import { ADD, f32x4, type MathLocals, MUL, SUB, sigmoidV, tanhV } from './wasm-math.js';
import { get, v128Load as load, set, v128Store as store, tee } from './wasm-module.js';

const CELL = 'BrickmlLSTMCell';
const CELL_GRAD = 'BrickmlLSTMCellGrad';

/** run(z, cPrev, gates, c, phiC, h): byte offsets. Locals: 4 i32 (rowsOfVectors), then 10 v128s. */
function cellCode(rows: number, units: number): number[] {
  const [Z, CPREV, GATES, C, PHI, H] = [0, 1, 2, 3, 4, 5];
  const v = 10;
  const [I, F, G, O, CT] = [v, v + 1, v + 2, v + 3, v + 4];
  const math: MathLocals = { v: v + 5, a: v + 6, x: v + 7, n: v + 8, r: v + 9 };
  const u4 = 4 * units;
  return rowsOfVectors(rows, units, 6, [4, 1] as const, (P4, P1) => [
    ...[...at(Z, P4), ...load(0), ...sigmoidV(math), ...set(I)],
    ...[...at(Z, P4), ...load(u4), ...sigmoidV(math), ...set(F)],
    ...[...at(Z, P4), ...load(2 * u4), ...tanhV(math), ...set(G)],
    ...[...at(Z, P4), ...load(3 * u4), ...sigmoidV(math), ...set(O)],
    ...[I, F, G, O].flatMap((gate, k) => [...at(GATES, P4), ...get(gate), ...store(k * u4)]),
    // c = f·c_{t-1} + i·g
    ...[...at(C, P1), ...get(F), ...at(CPREV, P1), ...load(0), ...MUL, ...get(I), ...get(G), ...MUL, ...ADD],
    ...[...tee(CT), ...store(0)],
    ...[...at(PHI, P1), ...get(CT), ...tanhV(math), ...tee(G), ...store(0)],
    ...[...at(H, P1), ...get(O), ...get(G), ...MUL, ...store(0)],
  ]);
}

/**
 * run(dh, dc, gates, phiC, cPrev, dz, dcPrev): byte offsets. Locals: 4 i32, then 7 v128s. With `dy`,
 * run(dh, dy, dc, …): dh + dy (one float32 sum, as tf.add) in place of dh.
 */
function cellGradCode(rows: number, units: number, dy = false): number[] {
  const d = dy ? 1 : 0;
  const [DH, DY, DC, GATES, PHI, CPREV, DZ, DCPREV] = [0, 1, 1 + d, 2 + d, 3 + d, 4 + d, 5 + d, 6 + d];
  const v = 11 + d;
  const [I, F, G, O, E, DHV, PHIV] = [v, v + 1, v + 2, v + 3, v + 4, v + 5, v + 6];
  const u4 = 4 * units;
  // (a·b)·(y·(1 - y)): a sigmoid gate's dz.
  const sigmoidGrad = (a: number[], b: number[], y: number) => [
    ...[...a, ...b, ...MUL, ...get(y), ...f32x4(1), ...get(y), ...SUB, ...MUL, ...MUL],
  ];
  return rowsOfVectors(rows, units, 7 + d, [4, 1] as const, (P4, P1) => [
    ...[I, F, G, O].flatMap((gate, k) => [...at(GATES, P4), ...load(k * u4), ...set(gate)]),
    ...[...at(DH, P1), ...load(0), ...(dy ? [...at(DY, P1), ...load(0), ...ADD] : []), ...set(DHV)],
    ...[...at(PHI, P1), ...load(0), ...set(PHIV)],
    // e = dc + (dh·o)·(1 - φ·φ)
    ...[...at(DC, P1), ...load(0), ...get(DHV), ...get(O), ...MUL],
    ...[...f32x4(1), ...get(PHIV), ...get(PHIV), ...MUL, ...SUB, ...MUL, ...ADD, ...set(E)],
    ...[...at(DZ, P4), ...sigmoidGrad(get(E), get(G), I), ...store(0)],
    ...[...at(DZ, P4), ...sigmoidGrad(get(E), [...at(CPREV, P1), ...load(0)], F), ...store(u4)],
    // (e·i)·(1 - g·g)
    ...[...at(DZ, P4), ...get(E), ...get(I), ...MUL, ...f32x4(1), ...get(G), ...get(G), ...MUL, ...SUB, ...MUL],
    ...store(2 * u4),
    ...[...at(DZ, P4), ...sigmoidGrad(get(DHV), get(PHIV), O), ...store(3 * u4)],
    ...[...at(DCPREV, P1), ...get(E), ...get(F), ...MUL, ...store(0)],
  ]);
}

/** The forward kernel: run(z, cPrev, gates, c, phiC, h). */
export const LSTM_CELL: CellSpec = {
  name: CELL,
  inputs: ['z', 'cPrev'],
  outputs: [4, 1, 1, 1],
  locals: [4, 10],
  code: cellCode,
};
/** The backward kernel: run(dh, dc, gates, phiC, cPrev, dz, dcPrev). */
export const LSTM_CELL_GRAD: CellSpec = {
  name: CELL_GRAD,
  inputs: ['dh', 'dc', 'gates', 'phiC', 'cPrev'],
  outputs: [4, 1],
  locals: [4, 7],
  code: cellGradCode,
};
/**
 * The backward step from dh + dy (a step's dh from above and from the step after it): run(dh, dy, dc, …).
 * Not registered as a kernel: lstm-sequence.ts calls its compiled function.
 */
export const LSTM_CELL_GRAD_DY: CellSpec = {
  name: 'BrickmlLSTMCellGradDY',
  inputs: ['dh', 'dy', 'dc', 'gates', 'phiC', 'cPrev'],
  outputs: [4, 1],
  locals: [4, 7],
  code: (rows, units) => cellGradCode(rows, units, true),
};

let registered = false;
function register(): void {
  registerCellKernel(LSTM_CELL);
  registerCellKernel(LSTM_CELL_GRAD);
  registered = true;
}

/** Whether the kernels run now for c_{t-1} `c` (cellKernelsRun), the wasm ones registered on first use. */
function runs(c: tf.Tensor): boolean {
  const where = cellKernelsRun(c);
  if (where === 'wasm' && !registered) register();
  return where !== null;
}

/** The forward kernel's results. */
export interface LSTMCellOutputs {
  /** [i, f, g, o] side by side, [B, 4U]. */
  gates: tf.Tensor2D;
  c: tf.Tensor2D;
  /** tanh(c). */
  phiC: tf.Tensor2D;
  h: tf.Tensor2D;
}

/**
 * An LSTM step with sigmoid gates and tanh from z [B, 4U] and c_{t-1} [B, U], as one kernel of brickml's
 * own; null where it does not run (then the caller uses tfjs ops), including while tfjs records a tape.
 */
export function lstmCell(z: tf.Tensor2D, cPrev: tf.Tensor2D): LSTMCellOutputs | null {
  if (tf.engine().isTapeOn() || !runs(cPrev)) return null;
  const [rows, units] = cPrev.shape;
  if (z.rank !== 2 || z.shape[0] !== rows || z.shape[1] !== 4 * units || z.dtype !== 'float32') return null;
  const [gates, c, phiC, h] = tf.engine().runKernel(CELL, { z, cPrev }, {}) as unknown as tf.Tensor2D[];
  return { gates, c, phiC, h } as LSTMCellOutputs;
}

/**
 * The LSTM step's dz [B, 4U] and dc_{t-1} from dh, dc and what lstmCell returned (gates, tanh(c)) with
 * c_{t-1}, as one kernel of brickml's own; null where it does not run.
 */
export function lstmCellGrad(
  dh: tf.Tensor2D,
  dc: tf.Tensor2D,
  gates: tf.Tensor2D,
  phiC: tf.Tensor2D,
  cPrev: tf.Tensor2D,
): { dz: tf.Tensor2D; dcPrev: tf.Tensor2D } | null {
  if (!runs(cPrev)) return null;
  const same = [dh, dc, phiC].every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, cPrev.shape));
  if (!same || gates.shape[1] !== 4 * (cPrev.shape[1] as number) || gates.shape[0] !== cPrev.shape[0]) return null;
  const [dz, dcPrev] = tf.engine().runKernel(CELL_GRAD, { dh, dc, gates, phiC, cPrev }, {}) as unknown as tf.Tensor2D[];
  return { dz, dcPrev } as { dz: tf.Tensor2D; dcPrev: tf.Tensor2D };
}
