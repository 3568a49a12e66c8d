/**
 * Element-wise formulas over tensors of one shape, written once and run as one kernel of brickml's own on
 * webgpu (one dispatch, numbers as uniforms, where tfjs ops cost a dispatch each) and on wasm (one SIMD
 * pass compiled at run time, where tfjs ops cost a pass over memory each), and as the same tfjs ops in the
 * same order elsewhere. The optimizers state their updates with them.
 *
 * @example
 * const [s, g] = [inputOf(0), inputOf(1)];
 * // s·ρ + g²·(1 - ρ), one kernel on webgpu and wasm
 * const next = runFormula(add(mul(s, constant(0.9)), mul(square(g), constant(0.1))), [sTensor, gTensor]);
 */
import * as tf from '@tensorflow/tfjs-core';
import { runWasmFormula, wasmKernels } from './wasm-kernels.js';
import { runWebGPUFormula, webgpuKernels } from './webgpu-kernels.js';

type Binary = 'add' | 'sub' | 'mul' | 'div' | 'max';
type Unary = 'sqrt' | 'square' | 'abs' | 'step';

/** A node of an element-wise formula. */
export type Formula =
  | { readonly op: 'input'; readonly index: number }
  | { readonly op: 'result'; readonly index: number }
  | { readonly op: 'constant'; readonly value: number }
  | { readonly op: Binary; readonly a: Formula; readonly b: Formula }
  | { readonly op: Unary; readonly a: Formula };

/** The `index`-th tensor handed to runFormula. */
export const inputOf = (index: number): Formula => ({ op: 'input', index });
/** In runFormulas, the value the `index`-th formula of the same call gives at this entry (an earlier one). */
export const resultOf = (index: number): Formula => ({ op: 'result', index });
/** A number; on webgpu it travels as a uniform, so a changing learning rate compiles nothing new. */
export const constant = (value: number): Formula => ({ op: 'constant', value });
export const add = (a: Formula, b: Formula): Formula => ({ op: 'add', a, b });
export const sub = (a: Formula, b: Formula): Formula => ({ op: 'sub', a, b });
export const mul = (a: Formula, b: Formula): Formula => ({ op: 'mul', a, b });
export const div = (a: Formula, b: Formula): Formula => ({ op: 'div', a, b });
export const maximum = (a: Formula, b: Formula): Formula => ({ op: 'max', a, b });
export const sqrt = (a: Formula): Formula => ({ op: 'sqrt', a });
export const square = (a: Formula): Formula => ({ op: 'square', a });
export const abs = (a: Formula): Formula => ({ op: 'abs', a });
/** 1 where a > 0, else 0 (NaN stays NaN), as tf.step(a, 0): relu' from relu's output. */
export const step = (a: Formula): Formula => ({ op: 'step', a });

const OPS = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div, max: tf.maximum } as const;
const UNARY = { sqrt: tf.sqrt, square: tf.square, abs: tf.abs, step: (x: tf.Tensor) => tf.step(x, 0) } as const;
const WGSL_BINARY = { add: '+', sub: '-', mul: '*', div: '/' } as const;

/**
 * The formula as tfjs ops, in the order it is written (so results match hand-written op chains).
 * `scalar` makes the constants; a caller may share them between formulas. The intermediates (and the
 * default scalars) are the caller's to dispose: call it inside tf.tidy.
 */
export function evaluateFormula(
  f: Formula,
  inputs: readonly tf.Tensor[],
  scalar: (value: number) => tf.Tensor = (v) => tf.scalar(v, 'float32'),
): tf.Tensor {
  switch (f.op) {
    case 'input': {
      const t = inputs[f.index];
      if (!t) throw new Error(`formula input ${f.index} is missing (${inputs.length} given)`);
      return t;
    }
    case 'result':
      throw new Error(`formula result ${f.index} read outside runFormulas`);
    case 'constant':
      return scalar(f.value);
    case 'sqrt':
    case 'square':
    case 'abs':
    case 'step':
      return UNARY[f.op](evaluateFormula(f.a, inputs, scalar));
    default:
      return OPS[f.op](evaluateFormula(f.a, inputs, scalar), evaluateFormula(f.b, inputs, scalar));
  }
}

/**
 * WGSL for the formula, its constants in order (uniforms k0, k1, …), how many inputs it reads, and how
 * many results of the formulas before it in runFormulas (one past the last it reads).
 */
export function formulaToWGSL(f: Formula): { code: string; constants: number[]; inputs: number; results: number } {
  const constants: number[] = [];
  let inputs = 0;
  let results = 0;
  const walk = (n: Formula): string => {
    switch (n.op) {
      case 'input':
        inputs = Math.max(inputs, n.index + 1);
        return `x${n.index}`;
      case 'result':
        results = Math.max(results, n.index + 1);
        return `r${n.index}`;
      case 'constant':
        constants.push(n.value);
        return `uniforms.k${constants.length - 1}`;
      case 'sqrt':
        return `sqrt(${walk(n.a)})`;
      case 'abs':
        return `abs(${walk(n.a)})`;
      case 'step': {
        const a = walk(n.a);
        return `select(select(0.0, 1.0, ${a} > 0.0), ${a}, ${a} != ${a})`;
      }
      case 'square': {
        const a = walk(n.a);
        return `(${a} * ${a})`;
      }
      case 'max':
        return `max(${walk(n.a)}, ${walk(n.b)})`;
      default:
        return `(${walk(n.a)} ${WGSL_BINARY[n.op]} ${walk(n.b)})`;
    }
  };
  const code = walk(f);
  return { code, constants, inputs, results };
}

/**
 * Runs the formula over same-shape float32 tensors: one kernel on webgpu and wasm, tfjs ops elsewhere (or
 * when the shapes differ, or the formula has no input), leaving only the result behind. Scalars that `scalar`
 * returns must outlive the call (tf.keep them).
 */
export function runFormula(f: Formula, inputs: readonly tf.Tensor[], scalar?: (value: number) => tf.Tensor): tf.Tensor {
  const first = inputs[0];
  const same =
    first !== undefined && inputs.every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, first.shape));
  const { code, constants, inputs: used, results } = formulaToWGSL(f);
  if (results > 0) throw new Error('a formula that reads results (resultOf) runs in runFormulas');
  if (same && used === inputs.length) {
    if (webgpuKernels()) return runWebGPUFormula(code, inputs, constants);
    if (wasmKernels()) return runWasmFormula([f], code, inputs, constants)[0] as tf.Tensor;
  }
  return tf.tidy(() => evaluateFormula(f, inputs, scalar));
}

/**
 * Runs formulas over the same inputs, each after the ones before it, whose results it may read (resultOf),
 * and gives all their results: an optimizer's new slots and weight. On wasm they are one kernel and one pass
 * over memory (each input read once, each result written once); elsewhere each formula runs as runFormula
 * over the inputs and results it reads. Each entry is computed by the same operations in the same order
 * either way.
 *
 * @example
 * const [g, v, w] = [inputOf(0), inputOf(1), inputOf(2)];
 * // v' = v·0.9 + g²·0.1, then w - g·0.01/√v' from v' as computed: one kernel on wasm
 * const [vNext, wNext] = runFormulas(
 *   [add(mul(v, constant(0.9)), mul(square(g), constant(0.1))), sub(w, div(mul(g, constant(0.01)), sqrt(resultOf(0))))],
 *   [gTensor, vTensor, wTensor],
 * );
 */
export function runFormulas(
  fs: readonly Formula[],
  inputs: readonly tf.Tensor[],
  scalar?: (value: number) => tf.Tensor,
): tf.Tensor[] {
  const parts = fs.map(formulaToWGSL);
  parts.forEach(({ results }, j) => {
    if (results > j) throw new Error(`formula ${j} reads result ${results - 1}, which is not made before it`);
  });
  const first = inputs[0];
  const same =
    first !== undefined && inputs.every((t) => t.dtype === 'float32' && tf.util.arraysEqual(t.shape, first.shape));
  if (same && fs.length > 1 && wasmKernels()) {
    if (Math.max(...parts.map((p) => p.inputs)) === inputs.length) {
      return runWasmFormula(
        fs,
        parts.map((p, j) => `r${j} = ${p.code}`).join('; '),
        inputs,
        parts.flatMap((p) => p.constants),
      );
    }
  }
  const results: tf.Tensor[] = [];
  for (const f of fs) {
    // This formula over the inputs and results it reads, renumbered in that order.
    const { inputs: xs, results: rs } = readsOf(f);
    const tensors = [...xs.map((i) => inputs[i] as tf.Tensor), ...rs.map((r) => results[r] as tf.Tensor)];
    const renumber = (n: Formula): Formula => {
      switch (n.op) {
        case 'input':
          return inputOf(xs.indexOf(n.index));
        case 'result':
          return inputOf(xs.length + rs.indexOf(n.index));
        case 'constant':
          return n;
        case 'sqrt':
        case 'square':
        case 'abs':
        case 'step':
          return { op: n.op, a: renumber(n.a) };
        default:
          return { op: n.op, a: renumber(n.a), b: renumber(n.b) };
      }
    };
    results.push(runFormula(renumber(f), tensors, scalar));
  }
  return results;
}

/** The inputs and results a formula reads, each once, in increasing order. */
function readsOf(f: Formula): { inputs: number[]; results: number[] } {
  const [inputs, results]: [number[], number[]] = [[], []];
  const walk = (n: Formula): void => {
    if (n.op === 'input' || n.op === 'result') {
      const list = n.op === 'input' ? inputs : results;
      if (!list.includes(n.index)) list.push(n.index);
    } else if (n.op !== 'constant') {
      walk(n.a);
      if ('b' in n) walk(n.b);
    }
  };
  walk(f);
  return { inputs: inputs.sort((a, b) => a - b), results: results.sort((a, b) => a - b) };
}
