/**
 * Kernels of brickml's own on tfjs' wasm backend, compiled at run time into small WebAssembly functions with
 * 128-bit SIMD that import the backend's own memory (wasm-module.ts), so they read their inputs and write
 * their output in place, and registered with tfjs' `registerKernel` so the engine owns their outputs:
 * - BrickmlFormula: element-wise formulas (formula.ts) in one pass, where tfjs ops make one pass each (an
 *   RMSprop update reads and writes each of a weight's arrays once instead of nine times). Every operation is
 *   IEEE single precision, rounded where the op chain rounds (wasm SIMD has no fused multiply-add), so
 *   results equal tfjs' ops bit for bit. A large one is cut into parts over the helper threads of brickml's
 *   products, where there are any.
 * - BrickmlBernoulli: dropout's mask from the mulberry32 stream (as webgpu-kernels.ts), four lanes at a time
 *   instead of a JavaScript loop and an upload.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Formula } from './formula.js';
import { ownKernelsOn } from './own-kernels.js';
import { CALL_ARGS, kernelHelpers, type ProductCall, runOnThreads } from './wasm-helpers.js';
import {
  compile,
  compileModule,
  F32,
  F32_STORE,
  get,
  I32,
  i32Const,
  i32x4Const,
  loop,
  memoryOf,
  registerWasmKernel,
  set,
  simd,
  simdSupported,
  tee,
  V128,
  V128_STORE,
  type WasmBackendLike,
} from './wasm-module.js';

const FORMULA = 'BrickmlFormula';
const BERNOULLI = 'BrickmlBernoulli';
const K = 0x6d2b79f5; // mulberry32's increment

type Run = (out: number, n: number, ...args: number[]) => void;
/** A compiled formula: its module (for helper threads) and its run on this thread. */
interface Compiled {
  module: object;
  run: Run;
  params: number;
}

/** SIMD sub-opcodes (after 0xfd) and scalar opcodes per operation. */
const OPS: Record<string, [simd: number, scalar: number]> = {
  add: [0xe4, 0x92],
  sub: [0xe5, 0x93],
  mul: [0xe6, 0x94],
  div: [0xe7, 0x95],
  max: [0xe9, 0x97],
  sqrt: [0xe3, 0x91],
  abs: [0xe0, 0x8b],
};

/**
 * run(out₀…, n, x₀…, k₀…): out_j[i] = f_j(x₀[i], …, out₀[i], …) over n floats, four at a time, then one
 * at a time, each formula after the ones before it (whose results it may read); every parameter is an i32
 * (the constants' bits, so a helper thread's integer call block can carry them). Locals after the
 * parameters: i (bytes), n·4, the end of whole vectors, the constants splatted, a v128 and an f32 temp, the
 * constants as f32, then each result as a v128 and as an f32.
 */
function compileFormula(memory: object, fs: readonly Formula[], inputs: number, constants: number): Compiled {
  const outs = fs.length;
  const [N, X] = [outs, outs + 1]; // n, then the inputs
  const p = 1 + outs + inputs + constants;
  const [i, nb, vend, vtmp, ftmp] = [p, p + 1, p + 2, p + 3 + constants, p + 4 + constants];
  const scalarOf = (j: number) => p + 5 + constants + j;
  const resultOf = (j: number, wide: boolean) => p + 5 + 2 * constants + (wide ? j : outs + j);
  let next = 0;
  const expr = (n: Formula, wide: boolean): number[] => {
    switch (n.op) {
      case 'input': {
        const address = [...get(X + n.index), ...get(i), 0x6a];
        return wide ? [...address, ...simd(0x00), 0, 0] : [...address, 0x2a, 2, 0];
      }
      case 'result':
        return get(resultOf(n.index, wide));
      case 'constant': {
        const j = next++;
        return get(wide ? p + 3 + j : scalarOf(j));
      }
      case 'square': {
        const t = wide ? vtmp : ftmp;
        return [...expr(n.a, wide), ...tee(t), ...get(t), ...(wide ? simd(OPS.mul![0]) : [OPS.mul![1]])];
      }
      case 'step': {
        // a > 0 ? 1 : 0, and a itself where it is NaN (a ≠ a)
        if (wide) {
          const one = [...simd(0x0c), ...[0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f]];
          const zero = [...simd(0x0c), ...new Array<number>(16).fill(0)];
          return [
            ...[...expr(n.a, wide), ...set(vtmp), ...get(vtmp)],
            ...[...get(vtmp), ...zero, ...simd(0x44), ...one, ...simd(0x4e)],
            ...[...get(vtmp), ...get(vtmp), ...simd(0x42), ...simd(0x52)],
          ];
        }
        return [
          ...[...expr(n.a, wide), ...set(ftmp), ...get(ftmp)],
          ...[...get(ftmp), 0x43, 0, 0, 0, 0, 0x5e, 0xb3],
          ...[...get(ftmp), ...get(ftmp), 0x5c, 0x1b],
        ];
      }
      case 'sqrt':
      case 'abs': {
        const [v, s] = OPS[n.op]!;
        return [...expr(n.a, wide), ...(wide ? simd(v) : [s])];
      }
      default: {
        const [v, s] = OPS[n.op]!;
        return [...expr(n.a, wide), ...expr(n.b, wide), ...(wide ? simd(v) : [s])];
      }
    }
  };
  /** The formulas at byte i, each result kept (for the formulas after it) and stored. */
  const body = (wide: boolean) => {
    next = 0;
    return fs.flatMap((f, j) => [
      ...expr(f, wide),
      ...set(resultOf(j, wide)),
      ...[...get(j), ...get(i), 0x6a, ...get(resultOf(j, wide)), ...(wide ? V128_STORE : F32_STORE)],
    ]);
  };
  const sweep = (end: number, step: number, wide: boolean) => [
    ...[0x02, 0x40, 0x03, 0x40],
    ...[...get(i), ...get(end), 0x4f, 0x0d, 1],
    ...body(wide),
    ...[...get(i), ...i32Const(step), 0x6a, ...set(i), 0x0c, 0, 0x0b, 0x0b],
  ];
  const code = [
    ...[...get(N), ...i32Const(2), 0x74, ...set(nb)],
    ...[...get(nb), ...i32Const(-16), 0x71, ...set(vend)],
    ...Array.from({ length: constants }, (_, j) => [...get(X + inputs + j), 0xbe, ...set(scalarOf(j))]).flat(),
    ...Array.from({ length: constants }, (_, j) => [...get(scalarOf(j)), ...simd(0x13), ...set(p + 3 + j)]).flat(),
    ...sweep(vend, 16, true),
    ...sweep(nb, 4, false),
  ];
  const params = new Array<number>(p).fill(I32);
  const made = compileModule(
    memory as never,
    params,
    [
      [3, I32],
      [constants + 1, V128],
      [1 + constants, F32],
      [outs, V128],
      [outs, F32],
    ],
    code,
  ) as { module: object; run: Run };
  return { ...made, params: params.length };
}

/**
 * run(out, n, seed, bound, value): out[i] = value where mulberry32's output for counter seed + (i + 1)·k is
 * below bound (unsigned), else 0. Locals: i, n·4, the vector end, the lane counters, a v128 temp, an i32 temp.
 */
function compileBernoulli(memory: object): Run {
  const [i, nb, vend, s, t, u] = [5, 6, 7, 8, 9, 10];
  const [SEED, BOUND, VALUE] = [2, 3, 4];
  // The hash of v (a counter on the stack, kept in `tmp`), as Random.next: ops per lane width.
  const hash = (
    tmp: number,
    o: Record<'xor' | 'or' | 'mul' | 'add' | 'shr', number[]>,
    lanes: (v: number) => number[],
  ) => [
    ...[...set(tmp), ...get(tmp), ...get(tmp), ...i32Const(15), ...o.shr, ...o.xor],
    ...[...get(tmp), ...lanes(1), ...o.or, ...o.mul, ...set(tmp)], // t = (s ^ s >>> 15) * (s | 1)
    ...[...get(tmp), ...get(tmp), ...get(tmp), ...get(tmp), ...i32Const(7), ...o.shr, ...o.xor],
    ...[...get(tmp), ...lanes(61), ...o.or, ...o.mul, ...o.add, ...o.xor], // t ^= t + (t ^ t >>> 7) * (t | 61)
    ...[...tee(tmp), ...get(tmp), ...i32Const(14), ...o.shr, ...o.xor], // t ^ t >>> 14
  ];
  const vOps = { xor: simd(0x51), or: simd(0x50), mul: simd(0xb5), add: simd(0xae), shr: simd(0xad) };
  const sOps = { xor: [0x73], or: [0x72], mul: [0x6c], add: [0x6a], shr: [0x76] };
  const wide = [
    ...[...get(s), ...hash(t, vOps, (v) => i32x4Const([v, v, v, v]))],
    ...[...get(BOUND), ...simd(0x11), ...simd(0x3a)], // lanes below bound: all ones
    ...[...get(VALUE), ...simd(0x13), ...simd(0x4e)], // & value
    ...[...get(s), ...i32x4Const([4 * K, 4 * K, 4 * K, 4 * K]), ...simd(0xae), ...set(s)],
  ];
  const narrow = [
    ...[...get(VALUE), 0x43, 0, 0, 0, 0], // value, 0.0f, then the condition: select
    ...[...get(SEED), ...get(i), ...i32Const(2), 0x76, ...i32Const(1), 0x6a, ...i32Const(K), 0x6c, 0x6a],
    ...hash(u, sOps, (v) => i32Const(v)),
    ...[...get(BOUND), 0x49, 0x1b],
  ];
  const code = [
    ...[...get(1), ...i32Const(2), 0x74, ...set(nb), ...get(nb), ...i32Const(-16), 0x71, ...set(vend)],
    ...[...get(SEED), ...simd(0x11), ...i32x4Const([K, 2 * K, 3 * K, 4 * K]), ...simd(0xae), ...set(s)],
    ...loop(i, vend, 16, wide, V128_STORE),
    ...loop(i, nb, 4, narrow, F32_STORE),
  ];
  return compile(
    memory as never,
    [I32, I32, I32, I32, F32],
    [
      [3, I32],
      [2, V128],
      [1, I32],
    ],
    code,
  ) as Run;
}

/** Compiled functions per backend memory: a wasm backend made anew (another module) gets its own. */
const compiled = new WeakMap<object, { formulas: Map<string, Compiled>; bernoulli: Run | null }>();
function current(backend: object = tf.backend()) {
  const memory = memoryOf(backend as Partial<WasmBackendLike>) as object;
  let entry = compiled.get(memory);
  if (!entry) {
    entry = { formulas: new Map(), bernoulli: null };
    compiled.set(memory, entry);
  }
  return { memory, entry };
}
let registered = false;

function kernel(
  name: string,
  run: (backend: object, attrs: Record<string, unknown>) => Run,
  args: (attrs: Record<string, unknown>) => number[],
) {
  registerWasmKernel(name, ({ inputs, attrs, wasm, at }) => {
    const xs = Object.values(inputs);
    const shape = (xs[0]?.shape ?? attrs.shape) as number[];
    const out = wasm.makeOutput(shape, 'float32');
    const n = tf.util.sizeFromShape(shape);
    if (n > 0) run(wasm, attrs)(at(out), n, ...xs.map(at), ...args(attrs));
    return out;
  });
}

/**
 * Floats from which a formula is cut over the threads of brickml's products (wasm-helpers.ts), each thread
 * streaming its part of the arrays. Below it, waking a helper cost more than it saved: RMSprop over
 * mnist_mlp's weights (401,408 and 262,144 floats) took 1.45 ms cut from 2^17 against 1.24 on one thread;
 * Adam over mnist_cnn's (a [9216, 128] kernel, 1.18 million) 2.1-2.3 cut against 2.9-3.2 ms.
 */
const FORMULA_SPLIT_FROM = 1 << 19;
/** Parts per thread, which the threads claim as they go (runOnThreads). */
const FORMULA_PARTS_PER_THREAD = 2;

/**
 * BrickmlFormula: the compiled formulas over all floats, or cut into parts of whole vectors over this thread
 * and the helpers where there are any, they are large, and their arguments fit a helper's call. Each float
 * is computed the same way either way.
 */
function registerFormula(): void {
  registerWasmKernel(FORMULA, ({ inputs, attrs, wasm, at }) => {
    const xs = Object.values(inputs);
    const shape = (xs[0] as tf.TensorInfo).shape;
    const outs = Array.from({ length: attrs.outputs as number }, () => wasm.makeOutput(shape, 'float32'));
    const n = tf.util.sizeFromShape(shape);
    if (n === 0) return outs;
    const { memory, entry } = current(wasm);
    const made = entry.formulas.get(attrs.code as string) as Compiled;
    const bits = Array.from(new Int32Array(Float32Array.from(attrs.constants as number[]).buffer));
    const args = (from: number, count: number) => [
      ...outs.map((out) => at(out) + 4 * from),
      count,
      ...xs.map((x) => at(x) + 4 * from),
      ...bits,
    ];
    const helpers = kernelHelpers(memory);
    if (!helpers || n < FORMULA_SPLIT_FROM || made.params > CALL_ARGS) {
      (made.run as (...all: number[]) => void)(...args(0, n));
      return outs;
    }
    const per = 4 * Math.ceil(n / ((1 + helpers.count) * FORMULA_PARTS_PER_THREAD) / 4);
    const parts: ProductCall[][] = [];
    for (let from = 0; from < n; from += per) {
      parts.push([{ module: made.module, run: made.run, args: args(from, Math.min(per, n - from)) }]);
    }
    runOnThreads(memory, parts);
    return outs;
  });
}

/**
 * Whether brickml's own wasm kernels run now: the active backend is tfjs' wasm, its memory can be reached,
 * the engine has SIMD, and they are not switched off (setOwnKernels).
 */
export function wasmKernels(): boolean {
  if (!ownKernelsOn() || tf.getBackend() !== 'wasm') return false;
  if (!registered) {
    if (!memoryOf(tf.backend() as Partial<WasmBackendLike>) || !simdSupported()) return false;
    registerFormula();
    kernel(
      BERNOULLI,
      (backend) => current(backend).entry.bernoulli as Run,
      (a) => [a.seed as number, a.bound as number, a.value as number],
    );
    registered = true;
  }
  return true;
}

/**
 * Runs formulas `fs` (`code` names them as a cache key), each after the ones before it, over same-shape
 * float32 tensors in one pass, and gives their results.
 */
export function runWasmFormula(
  fs: readonly Formula[],
  code: string,
  inputs: readonly tf.Tensor[],
  constants: number[],
): tf.Tensor[] {
  const { memory, entry } = current();
  if (!entry.formulas.has(code)) entry.formulas.set(code, compileFormula(memory, fs, inputs.length, constants.length));
  const named = Object.fromEntries(inputs.map((t, i) => [`x${i}`, t]));
  const attrs = { code, constants, outputs: fs.length } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(FORMULA, named, attrs) as unknown as tf.Tensor[];
}

/** Random.bernoulliArray's mask from counter `seed`, drawn by the wasm kernel (bound < 2³²). */
export function runWasmBernoulli(shape: readonly number[], seed: number, bound: number, value: number): tf.Tensor {
  const { memory, entry } = current();
  entry.bernoulli ??= compileBernoulli(memory);
  const attrs = { shape: [...shape], seed: seed | 0, bound: bound | 0, value };
  return tf.engine().runKernel(BERNOULLI, {}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
