/**
 * Just enough of the WebAssembly binary format to build one-function modules at run time that import the
 * memory of tfjs' wasm backend (wasm-kernels.ts): LEB128 numbers, sections, the opcodes used, and
 * instantiation against that memory (shared in the threaded build).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ownKernelsOn } from './own-kernels.js';

/** The WebAssembly API used here (core's TypeScript lib has no WebAssembly types). */
interface Memory {
  readonly buffer: ArrayBufferLike;
}
interface WebAssemblyAPI {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const api = () => (globalThis as unknown as { WebAssembly: WebAssemblyAPI }).WebAssembly;

let hasSimd: boolean | undefined;
/**
 * Whether this engine runs 128-bit SIMD (every current browser and Node does; tfjs falls back to a build
 * without it where not): a one-function module returning a v128 constant must validate.
 */
export function simdSupported(): boolean {
  if (hasSimd === undefined) {
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const body = [0, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b];
    const bytes = [...header, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body];
    try {
      hasSimd = api().validate(new Uint8Array(bytes));
    } catch {
      hasSimd = false;
    }
  }
  return hasSimd;
}

let hasRelaxedSimd: boolean | undefined;
/**
 * Whether this engine runs relaxed SIMD's fused multiply-add (f32x4.relaxed_madd): Chrome 114+, Node 22+,
 * and Node 20 once its V8 flag is set (useBackend does so in Node, then asks again with `recheck`). The
 * answer is kept: matMul asks on every call.
 */
export function relaxedSimdSupported(recheck = false): boolean {
  if (hasRelaxedSimd === undefined || recheck) {
    const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const body = [0, ...get(0), ...get(1), ...get(2), ...simd(0x105), 0x0b];
    const type = [1, 0x60, 3, V128, V128, V128, 1, V128];
    const bytes = [...header, 1, type.length, ...type, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body];
    try {
      hasRelaxedSimd = api().validate(new Uint8Array(bytes));
    } catch {
      hasRelaxedSimd = false;
    }
  }
  return hasRelaxedSimd;
}

/** The parts of tfjs' BackendWasm that a kernel of brickml's own uses. */
export interface WasmBackendLike {
  wasm: { asm?: { memory?: Memory }; wasmMemory?: Memory };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

/** What a kernel of brickml's own on wasm is handed: its inputs and attributes, the backend, and `at(t)`. */
export interface WasmKernelCall {
  inputs: Record<string, tf.TensorInfo>;
  attrs: Record<string, unknown>;
  wasm: WasmBackendLike;
  /** t's byte offset in the backend's memory. */
  at(t: tf.TensorInfo): number;
}

/** Registers `run` as kernel `name` of tfjs' wasm backend. */
export function registerWasmKernel(name: string, run: (call: WasmKernelCall) => tf.TensorInfo | tf.TensorInfo[]): void {
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const wasm = backend as unknown as WasmBackendLike;
      const at = (t: tf.TensorInfo) => wasm.dataIdMap.get(t.dataId).memoryOffset;
      return run({
        inputs: inputs as Record<string, tf.TensorInfo>,
        attrs: attrs as Record<string, unknown>,
        wasm,
        at,
      });
    },
  });
}

const made = new WeakMap<object, Map<string, unknown>>();
/**
 * `make()`'s result for `key`, made once per backend memory (a wasm backend made anew, with another memory,
 * gets its own): the cache of modules generated per shape.
 */
export function madeFor<T>(memory: object, key: string, make: () => T): T {
  let byKey = made.get(memory);
  if (!byKey) {
    byKey = new Map();
    made.set(memory, byKey);
  }
  if (!byKey.has(key)) byKey.set(key, make());
  return byKey.get(key) as T;
}

/** The backend's linear memory: exported by the single-threaded build, created by JavaScript in the threaded. */
export function memoryOf(backend: Partial<WasmBackendLike>): Memory | undefined {
  return backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
}

/** Bytes per element of the dtypes that brickml's copying kernels (row gather, pad, column split) move. */
export const ELEMENT_BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/**
 * Whether a copying kernel of brickml's own runs now for `dtype`: own kernels on, tfjs' wasm backend active
 * and its memory reachable.
 */
export function ownCopies(dtype: tf.DataType): boolean {
  if (!ELEMENT_BYTES[dtype] || !ownKernelsOn() || tf.getBackend() !== 'wasm') return false;
  return memoryOf(tf.backend() as unknown as Partial<WasmBackendLike>) !== undefined;
}

/** The backend's memory as bytes, viewed now: it may have grown since the last call. */
export function bytesOf(wasm: Partial<WasmBackendLike>): Uint8Array {
  return new Uint8Array((memoryOf(wasm) as { buffer: ArrayBufferLike }).buffer);
}

export const [I32, F32, V128] = [0x7f, 0x7d, 0x7b];

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (bytes: number[]): number[] => [...uleb(bytes.length), ...bytes];
const section = (id: number, bytes: number[]): number[] => [id, ...vec(bytes)];

/** A SIMD instruction (0xfd prefix, LEB128 sub-opcode). */
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];
export const get = (l: number): number[] => [0x20, ...uleb(l)];
export const set = (l: number): number[] => [0x21, ...uleb(l)];
export const tee = (l: number): number[] => [0x22, ...uleb(l)];
export const i32Const = (v: number): number[] => [0x41, ...sleb(v | 0)];
/** v128.const of four i32 lanes. */
export const i32x4Const = (lanes: number[]): number[] => [
  ...simd(0x0c),
  ...new Uint8Array(Int32Array.from(lanes.map((v) => v | 0)).buffer),
];

/**
 * `block { loop { if (i ≥ end) break; store(out + i, value); i += step; continue } }`: the address is
 * local 0 plus local `i`, `value` leaves the stored value on the stack.
 */
export function loop(i: number, end: number, step: number, value: number[], store: number[]): number[] {
  return [
    ...[0x02, 0x40, 0x03, 0x40],
    ...[...get(i), ...get(end), 0x4f, 0x0d, 1],
    ...[...get(0), ...get(i), 0x6a, ...value, ...store],
    ...[...get(i), ...i32Const(step), 0x6a, ...set(i), 0x0c, 0, 0x0b, 0x0b],
  ];
}
/** `counter = start; while (counter < end) { body; counter += step }` (signed compare). */
export function forUp(counter: number, start: number[], end: number, step: number, body: number[]): number[] {
  return [
    ...start,
    ...set(counter),
    ...[0x02, 0x40, 0x03, 0x40],
    ...[...get(counter), ...i32Const(end), 0x4e, 0x0d, 1],
    ...body,
    ...[...get(counter), ...i32Const(step), 0x6a, ...set(counter), 0x0c, 0, 0x0b, 0x0b],
  ];
}

/** v128.load and v128.store at a constant byte offset from the address on the stack. */
export const v128Load = (offset: number): number[] => [...simd(0x00), 0, ...uleb(offset)];
export const v128Store = (offset: number): number[] => [...simd(0x0b), 0, ...uleb(offset)];
export const V128_STORE = v128Store(0);
export const F32_STORE = [0x38, 2, 0];

/**
 * A module exporting `run(params…)`, with `locals` ([count, type] groups) and `code` (without the final
 * end), instantiated against `memory`; its import is declared shared when the memory is.
 */
export function compile(memory: Memory, params: number[], locals: [number, number][], code: number[]): unknown {
  return compileModule(memory, params, locals, code).run;
}

/** compile's module and its `run`: the module can be posted to a worker and instantiated there on the same memory. */
export function compileModule(
  memory: Memory,
  params: number[],
  locals: [number, number][],
  code: number[],
): { module: object; run: unknown } {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const name = (s: string) => vec([...new TextEncoder().encode(s)]);
  const limits = shared ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const decls = [...uleb(locals.length), ...locals.flatMap(([count, type]) => [...uleb(count), type])];
  const bytes = new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, ...vec(params), 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...limits]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('run'), 0x00, 0]),
    ...section(10, [1, ...vec([...decls, ...code, 0x0b])]),
  ]);
  const module = new (api().Module)(bytes);
  const instance = new (api().Instance)(module, { env: { memory } });
  return { module, run: instance.exports.run };
}
