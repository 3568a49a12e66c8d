/**
 * An LSTM's whole time loop as one kernel each way, with Keras' default activations: here for tfjs' wasm
 * backend, where brickml's own products and cell kernels run (wasm-matmul.ts, lstm-cell.ts); for webgpu in
 * webgpu-lstm-sequence.ts (one dispatch a loop, the same to rounding):
 * - BrickmlLSTMSequence, forward, from XW = x·W + b for all steps ([T·B, 4U], time-major), U, h₀ and c₀: per
 *   step, z = XW_t + h_{t-1}·U (the rows copied, then the product added to them) and the cell, the same
 *   calls in the same order as a step of matMul with an addend and lstmCell, so the same bits.
 * - BrickmlLSTMSequenceGrad, backward, from the steps' dh (dY, returnSequences), the final dh and dc and what
 *   the forward kept: per step from the last, the cell's gradient from dh + dY_t (summed in the cell's
 *   kernel, as tf.add sums) into its rows of dZ and dc_{t-1} = e·f, then dh_{t-1} = dz·Uᵀ; as the
 *   step-by-step loop does, so the same bits.
 * A loop of tfjs kernels pays the engine per kernel: 2 a step forward and 3 back, the concat of the steps'
 * results and the split of dY. Here the calls go straight to the compiled functions, and U (Uᵀ backward) is
 * copied into the products' panels once for all steps (packB), not once a step: for addition_rnn's encoder
 * (B = 32, U = 128, 7 steps) on one thread, 1.40-1.60 → 1.36-1.37 ms forward and 1.10-1.21 → 0.73-0.80
 * back against the steps as kernels. A large loop's batch is cut into parts of rows over the threads, each
 * part running every step on its rows. Neither kernel has a gradient: both answer null while tfjs records a
 * tape, and elsewhere (cpu, own kernels or products off, U < 4, sizes the webgpu loops do not take): the
 * brick then runs step by step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { compiledCell } from './cell-kernels.js';
import { LSTM_CELL, LSTM_CELL_GRAD, LSTM_CELL_GRAD_DY } from './lstm-cell.js';
import { kernelHelpers, type ProductCall, runOnThreads } from './wasm-helpers.js';
import { wasmKernels } from './wasm-kernels.js';
import { ownMatMul, type PackedB, packB, packedCalls, packedFloats } from './wasm-matmul.js';
import { compileModule, get, I32, madeFor, memoryOf, registerWasmKernel, type WasmBackendLike } from './wasm-module.js';
import { webgpuKernels } from './webgpu-kernels.js';
import { registerWebGPUSequence, webgpuSequenceFits } from './webgpu-lstm-sequence.js';

const SEQUENCE = 'BrickmlLSTMSequence';
const SEQUENCE_GRAD = 'BrickmlLSTMSequenceGrad';

type Info = tf.TensorInfo;

/**
 * Multiply-adds of a loop (all its steps' products) from which its batch is cut over the threads. The rows of
 * the batch are independent, so each part runs all steps on its own rows: one job a loop, not one a step.
 * This thread starts on its parts at once, so a helper that wakes late (0.1-0.4 ms) costs less than it
 * does for a product of that size (SPLIT_FROM in wasm-matmul.ts).
 */
const SPLIT_FROM = 1 << 22;
/** Parts of the batch per thread, which the threads claim as they go. */
const PARTS_PER_THREAD = 2;

/** memory.copy as a function of its own, run(to, from, bytes), so that a helper thread can run a copy too. */
function copier(memory: object): { module: object; run: (...args: number[]) => void } {
  return madeFor(memory, 'copy', () =>
    compileModule(memory as never, [I32, I32, I32], [], [...get(0), ...get(1), ...get(2), 0xfc, 0x0a, 0, 0]),
  ) as { module: object; run: (...args: number[]) => void };
}

/** Copies `bytes` from byte `from` to byte `to` on this thread (through a view made now: outputs may grow the memory). */
function copyBytes(memory: object, to: number, from: number, bytes: number): void {
  new Uint8Array((memory as { buffer: ArrayBuffer }).buffer).copyWithin(to, from, from + bytes);
}

/**
 * The batch's rows cut into parts for a loop of `macs` multiply-adds, each [first row, rows]: one part on a
 * single thread, else PARTS_PER_THREAD per thread of whole tiles of 4 rows.
 */
function rowParts(memory: object, rows: number, macs: number): [number, number][] {
  const helpers = kernelHelpers(memory)?.count ?? 0;
  const parts = Math.min((1 + helpers) * PARTS_PER_THREAD, Math.floor(rows / 4));
  if (helpers === 0 || macs < SPLIT_FROM || parts < 2) return [[0, rows]];
  const per = 4 * Math.ceil(rows / parts / 4);
  const out: [number, number][] = [];
  for (let r = 0; r < rows; r += per) out.push([r, Math.min(per, rows - r)]);
  return out;
}

/**
 * Runs a loop cut into row parts, with B ([k, n] at byte `b`: U; or Uᵀ backward, read from U as stored)
 * packed once for all its products: `callsOf(part, packed)` lists a part's calls; on this thread alone for
 * one part, else the parts claimed by the threads.
 */
function runParts(
  wasm: WasmBackendLike,
  memory: object,
  parts: [number, number][],
  b: { at: number; k: number; n: number; transposed: boolean },
  callsOf: (part: [number, number], packed: PackedB) => ProductCall[],
): void {
  const room = wasm.makeOutput([packedFloats(b.k, b.n)], 'float32');
  try {
    const packed = packB(memory, b.at, b.k, b.n, wasm.dataIdMap.get(room.dataId).memoryOffset, b.transposed);
    const lists = parts.map((part) => callsOf(part, packed));
    if (lists.length === 1) for (const { run, args } of lists[0] as ProductCall[]) run(...args);
    else runOnThreads(memory, lists);
  } finally {
    wasm.disposeData(room.dataId);
  }
}

function register(): void {
  registerWasmKernel(SEQUENCE, ({ inputs, wasm, at }) => {
    const { xw, u, h0, c0 } = inputs as Record<'xw' | 'u' | 'h0' | 'c0', Info>;
    const [rows, units] = h0.shape as [number, number];
    const time = (xw.shape[0] as number) / rows;
    const [wide, narrow] = [
      [time * rows, 4 * units],
      [time * rows, units],
    ];
    const [gates, phiC, cIn, hIn, hs] = [wide, narrow, narrow, narrow, narrow].map((s) =>
      wasm.makeOutput(s, 'float32'),
    ) as [Info, Info, Info, Info, Info];
    const [hT, cT] = [0, 1].map(() => wasm.makeOutput([rows, units], 'float32')) as [Info, Info];
    const memory = memoryOf(wasm) as object;
    const z = wasm.makeOutput([rows, 4 * units], 'float32');
    // Bytes of a row of [·, U] and of [·, 4U], and of a step's rows of each.
    const [row, wideRow] = [4 * units, 16 * units];
    const [block, wideBlock] = [rows * row, rows * wideRow];
    copyBytes(memory, at(hIn), at(h0), block);
    copyBytes(memory, at(cIn), at(c0), block);
    const copy = copier(memory);
    const parts = rowParts(memory, rows, time * rows * units * 4 * units);
    runParts(
      wasm,
      memory,
      parts,
      { at: at(u), k: units, n: 4 * units, transposed: false },
      ([first, count], packed) => {
        const cell = compiledCell(memory, LSTM_CELL, count, units);
        const [r, w] = [first * row, first * wideRow];
        const calls: ProductCall[] = [];
        for (let t = 0; t < time; t++) {
          const last = t === time - 1;
          const [c, h] = last ? [at(cT), at(hT)] : [at(cIn) + (t + 1) * block, at(hIn) + (t + 1) * block];
          const [tb, tw] = [t * block + r, t * wideBlock + w];
          calls.push(
            { ...copy, args: [at(z) + w, at(xw) + tw, count * wideRow] },
            ...packedCalls(memory, packed, count, units, at(hIn) + tb, at(z) + w, true),
            { ...cell, args: [at(z) + w, at(cIn) + tb, at(gates) + tw, c + r, at(phiC) + tb, at(hs) + tb] },
            { ...copy, args: [h + r, at(hs) + tb, count * row] },
          );
        }
        return calls;
      },
    );
    wasm.disposeData(z.dataId);
    return [gates, phiC, cIn, hIn, hs, hT, cT] as Info[];
  });

  registerWasmKernel(SEQUENCE_GRAD, ({ inputs, attrs, wasm, at }) => {
    const { dy, dh, dc, gates, phiC, cIn, u } = inputs as Record<'dh' | 'dc' | 'gates' | 'phiC' | 'cIn' | 'u', Info> & {
      dy?: Info;
    };
    const [rows, units] = dh.shape as [number, number];
    const time = (cIn.shape[0] as number) / rows;
    const initial = attrs.initial as boolean;
    const dZ = wasm.makeOutput([time * rows, 4 * units], 'float32');
    const finals = initial ? [0, 1].map(() => wasm.makeOutput([rows, units], 'float32')) : [];
    const memory = memoryOf(wasm) as object;
    // dh, and dc and dc_{t-1} in turn.
    const [dhNow, dcA, dcB] = [0, 1, 2].map(() => wasm.makeOutput([rows, units], 'float32')) as [Info, Info, Info];
    const [row, wideRow] = [4 * units, 16 * units];
    const [block, wideBlock] = [rows * row, rows * wideRow];
    copyBytes(memory, at(dhNow), at(dh), block);
    copyBytes(memory, at(dcA), at(dc), block);
    const parts = rowParts(memory, rows, time * rows * units * 4 * units);
    runParts(wasm, memory, parts, { at: at(u), k: 4 * units, n: units, transposed: true }, ([first, count], packed) => {
      const grad = compiledCell(memory, dy ? LSTM_CELL_GRAD_DY : LSTM_CELL_GRAD, count, units);
      const [r, w] = [first * row, first * wideRow];
      const calls: ProductCall[] = [];
      let [dcNow, dcPrev] = [at(dcA) + r, at(dcB) + r];
      for (let t = time - 1; t >= 0; t--) {
        const [tb, tw] = [t * block + r, t * wideBlock + w];
        const dhs = dy ? [at(dhNow) + r, at(dy) + tb] : [at(dhNow) + r];
        const kept = [at(gates) + tw, at(phiC) + tb, at(cIn) + tb];
        calls.push({ ...grad, args: [...dhs, dcNow, ...kept, at(dZ) + tw, dcPrev] });
        [dcNow, dcPrev] = [dcPrev, dcNow];
        if (t === 0 && !initial) break;
        calls.push(...packedCalls(memory, packed, count, 4 * units, at(dZ) + tw, at(dhNow) + r, false));
      }
      return calls;
    });
    const [dh0, dc0] = finals;
    if (dh0 && dc0) {
      // The last dc_{t-1} is in dcA after an even number of steps, else in dcB.
      const dcLast = time % 2 === 0 ? dcA : dcB;
      copyBytes(memory, at(dh0), at(dhNow), block);
      copyBytes(memory, at(dc0), at(dcLast), block);
    }
    for (const t of [dhNow, dcA, dcB]) wasm.disposeData(t.dataId);
    return [dZ, ...finals];
  });
}

let registered = false;

/**
 * Whether the sequence kernels run now for `time` steps of a batch of `rows` with `units` units, with no
 * tape: on wasm where brickml's cells and products run; on webgpu where its kernels run, for the sizes its
 * loops take (webgpu-lstm-sequence.ts).
 */
export function lstmSequenceRuns(rows: number, units: number, time: number): boolean {
  if (tf.engine().isTapeOn() || units < 4) return false;
  if (wasmKernels()) {
    if (!ownMatMul()) return false;
    if (!registered) {
      register();
      registered = true;
    }
    return true;
  }
  if (!webgpuKernels() || !webgpuSequenceFits(time, rows, units)) return false;
  registerWebGPUSequence();
  return true;
}

/** What the forward loop gives: the steps' results, time-major, and the final states. */
export interface LSTMSequenceOutputs {
  /** Each step's [i, f, g, o], [T·B, 4U]. */
  gates: tf.Tensor2D;
  /** Each step's tanh(c_t), [T·B, U]. */
  phiC: tf.Tensor2D;
  /** The states each step starts from: c_{t-1} and h_{t-1}, [T·B, U]. */
  cIn: tf.Tensor2D;
  hIn: tf.Tensor2D;
  /** Each step's h_t, [T·B, U]. */
  hs: tf.Tensor2D;
  /** The final states, [B, U]. */
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/**
 * The LSTM's steps over XW = x·W + b ([T·B, 4U], time-major) with recurrent kernel U [U, 4U] from h₀ and c₀
 * ([B, U]), sigmoid gates and tanh, as one kernel; null where it does not run (see the module's note).
 */
export function lstmSequence(
  XW: tf.Tensor2D,
  U: tf.Tensor2D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
): LSTMSequenceOutputs | null {
  const [rows, units] = h0.shape;
  const fits =
    [XW, U, h0, c0].every((t) => t.rank === 2 && t.dtype === 'float32') &&
    tf.util.arraysEqual(c0.shape, h0.shape) &&
    tf.util.arraysEqual(U.shape, [units, 4 * units]) &&
    XW.shape[1] === 4 * units &&
    XW.shape[0] > 0 &&
    XW.shape[0] % rows === 0;
  if (!fits || !lstmSequenceRuns(rows, units, XW.shape[0] / rows)) return null;
  const out = tf.engine().runKernel(SEQUENCE, { xw: XW, u: U, h0, c0 }, {}) as unknown as tf.Tensor2D[];
  const [gates, phiC, cIn, hIn, hs, h, c] = out as [tf.Tensor2D, ...tf.Tensor2D[]];
  return { gates, phiC, cIn, hIn, hs, h, c } as LSTMSequenceOutputs;
}

/**
 * dZ ([T·B, 4U], the gates' pre-activations of every step) from dY (each step's dh from above, [T·B, U], or
 * null), the final states' dh and dc, what lstmSequence kept and U [U, 4U] (dh_{t-1} = dz·Uᵀ, Uᵀ read from
 * it into the products' panels: no transpose is made); with `initial`, also dh₀ and dc₀. One kernel; null
 * where it does not run.
 */
export function lstmSequenceGrad(
  dY: tf.Tensor2D | null,
  dh: tf.Tensor2D,
  dc: tf.Tensor2D,
  kept: Pick<LSTMSequenceOutputs, 'gates' | 'phiC' | 'cIn'>,
  U: tf.Tensor2D,
  initial: boolean,
): { dZ: tf.Tensor2D; dh0?: tf.Tensor2D; dc0?: tf.Tensor2D } | null {
  const { gates, phiC, cIn } = kept;
  const [rows, units] = dh.shape;
  const fits =
    [dh, dc, gates, phiC, cIn, U, ...(dY ? [dY] : [])].every((t) => t.rank === 2 && t.dtype === 'float32') &&
    tf.util.arraysEqual(dc.shape, dh.shape) &&
    tf.util.arraysEqual(U.shape, [units, 4 * units]) &&
    cIn.shape[1] === units &&
    cIn.shape[0] % rows === 0 &&
    tf.util.arraysEqual(phiC.shape, cIn.shape) &&
    tf.util.arraysEqual(gates.shape, [cIn.shape[0], 4 * units]) &&
    (!dY || tf.util.arraysEqual(dY.shape, cIn.shape));
  if (!fits || !lstmSequenceRuns(rows, units, cIn.shape[0] / rows)) return null;
  const inputs = { dh, dc, gates, phiC, cIn, u: U, ...(dY && { dy: dY }) };
  const [dZ, dh0, dc0] = tf.engine().runKernel(SEQUENCE_GRAD, inputs, { initial }) as unknown as tf.Tensor2D[];
  return { dZ: dZ as tf.Tensor2D, ...(dh0 && dc0 && { dh0, dc0 }) };
}
