/**
 * What the recurrent cell kernels (lstm-cell.ts, gru-cell.ts) share: a generated wasm loop over a step's
 * rows, four units at a time, and where such a kernel runs now (wasm, or webgpu: webgpu-cells.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { wasmKernels } from './wasm-kernels.js';
import {
  compileModule,
  forUp,
  get,
  I32,
  i32Const,
  madeFor,
  memoryOf,
  registerWasmKernel,
  set,
  V128,
} from './wasm-module.js';
import { registerWebGPUCells } from './webgpu-cells.js';
import { webgpuKernels } from './webgpu-kernels.js';

/** The address param + local (byte offsets) on the stack. */
export const address = (param: number, local: number): number[] => [...get(param), ...get(local), 0x6a];

/**
 * A loop over `rows` rows of `units` columns, four at a time, for a kernel whose matrices are `widths`
 * units wide (1 for [rows, units], 4 for an LSTM's gates): `body(...p)` runs for each vector, p[i] being
 * the local that holds the byte offset of the vector's first column in a [rows, widths[i]·units] matrix. It takes
 * 2 + widths.length i32 locals from `first` on. Where units is not a multiple of 4, the last vector of a
 * row starts 4 columns before the row's end and redoes a few columns, which every output of the cells
 * allows (each is a function of the inputs at its own place).
 */
export function rowsOfVectors<W extends readonly number[]>(
  rows: number,
  units: number,
  first: number,
  widths: W,
  body: (...p: { [K in keyof W]: number }) => number[],
): number[] {
  const [ROW, J] = [first, first + 1];
  const setup = widths.flatMap((w, i) => [
    ...[...get(ROW), ...i32Const(4 * w * units), 0x6c, ...get(J), 0x6a, ...set(first + 2 + i)],
  ]);
  const p = widths.map((_, i) => first + 2 + i) as unknown as { [K in keyof W]: number };
  const vector = [...setup, ...body(...p)];
  const whole = 16 * Math.floor(units / 4);
  const row = [
    ...forUp(J, i32Const(0), whole, 16, vector),
    ...(units % 4 ? [...i32Const(4 * (units - 4)), ...set(J), ...vector] : []),
  ];
  return forUp(ROW, i32Const(0), rows, 1, row);
}

/**
 * Where a cell kernel runs now for a state `h` ([rows, units], float32, 4 units or more): where brickml's
 * other wasm kernels run ('wasm', wasmKernels), or its webgpu ones ('webgpu', the cells registered here);
 * else null.
 */
export function cellKernelsRun(h: tf.Tensor): 'wasm' | 'webgpu' | null {
  if (h.rank !== 2 || (h.shape[1] as number) < 4 || h.dtype !== 'float32') return null;
  if (wasmKernels()) return 'wasm';
  if (!webgpuKernels()) return null;
  registerWebGPUCells();
  return 'webgpu';
}

/**
 * A cell kernel on wasm: its name, its inputs' names (the last one a state [rows, units]), the widths of
 * its outputs (each [rows, w·units]), its i32 and v128 locals and `code(rows, units)`, the body of
 * run(inputs…, outputs…) where every parameter is a byte offset.
 */
export interface CellSpec {
  name: string;
  inputs: readonly string[];
  outputs: readonly number[];
  locals: [i32s: number, v128s: number];
  code: (rows: number, units: number) => number[];
}

/** `spec` for `rows` × `units`, compiled once per backend memory and shape: its module (for helper threads) and run. */
export function compiledCell(
  memory: object,
  spec: CellSpec,
  rows: number,
  units: number,
): { module: object; run: (...at: number[]) => void } {
  const { name, inputs, outputs, locals, code } = spec;
  const params = new Array<number>(inputs.length + outputs.length).fill(I32);
  return madeFor(memory, `${name} ${rows}x${units}`, () =>
    compileModule(
      memory as never,
      params,
      [
        [locals[0], I32],
        [locals[1], V128],
      ],
      code(rows, units),
    ),
  ) as { module: object; run: (...at: number[]) => void };
}

/** Registers `spec` as a wasm kernel, its outputs made by the engine. */
export function registerCellKernel(spec: CellSpec): void {
  registerWasmKernel(spec.name, ({ inputs: given, wasm, at }) => {
    const xs = spec.inputs.map((n) => given[n] as tf.TensorInfo);
    const [rows, units] = (xs[xs.length - 1] as tf.TensorInfo).shape as [number, number];
    const outs = spec.outputs.map((w) => wasm.makeOutput([rows, w * units], 'float32'));
    compiledCell(memoryOf(wasm) as object, spec, rows, units).run(...xs.map(at), ...outs.map(at));
    return outs;
  });
}
