/**
 * Kernels of brickml's own for tfjs' webgpu backend, registered with `registerKernel` so that the engine
 * owns and tracks their tensors like any other kernel's:
 * - BrickmlFormula: an element-wise formula (formula.ts) in one dispatch, its numbers as uniforms;
 * - BrickmlBernoulli: dropout's mask drawn on the device from the same mulberry32 stream, element for
 *   element, as Random.bernoulliArray draws on the CPU (element i uses the counter s₀ + (i + 1)·k).
 * On webgpu every tfjs op is a dispatch with a bind group and a uniform buffer, and every CPU-made tensor
 * (a mask, a scalar) a freshly allocated upload buffer; these two kernels remove both from a training step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ownKernelsOn } from './own-kernels.js';

const FORMULA = 'BrickmlFormula';
const BERNOULLI = 'BrickmlBernoulli';
const WORKGROUP: [number, number, number] = [64, 1, 1];

type Uniform = { type: 'float32' | 'uint32'; data: number[] };
export interface WebGPUBackendLike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Uniform[]): tf.TensorInfo;
}

/** The fields tfjs-backend-webgpu reads from a program (its WebGPUProgram interface), for a flat output. */
export abstract class FlatProgram {
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize = WORKGROUP;
  readonly size = true;
  abstract readonly variableNames: string[];
  abstract readonly shaderKey: string;
  abstract readonly uniforms: string;
  constructor(shape: readonly number[]) {
    this.outputShape = [...shape];
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(tf.util.sizeFromShape(this.outputShape) / WORKGROUP[0]), 1, 1];
  }
}

class FormulaProgram extends FlatProgram {
  readonly variableNames: string[];
  readonly shaderKey: string;
  readonly uniforms: string;
  constructor(
    private readonly code: string,
    inputs: number,
    constants: number,
    shape: readonly number[],
  ) {
    super(shape);
    this.variableNames = Array.from({ length: inputs }, (_, i) => `X${i}`);
    this.uniforms = Array.from({ length: constants }, (_, i) => `k${i} : f32,`).join('');
    this.shaderKey = `brickml_formula_${code}`;
  }
  getUserCode(): string {
    const loads = this.variableNames.map((name, i) => `let x${i} = ${name}[index];`).join('\n        ');
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        ${loads}
        setOutputAtIndex(index, ${this.code});
      }
    }`;
  }
}

class BernoulliProgram extends FlatProgram {
  readonly variableNames: string[] = [];
  readonly shaderKey = 'brickml_bernoulli';
  readonly uniforms = 'seed : u32, bound : u32, value : f32,';
  getUserCode(): string {
    // mulberry32, as Random.next: u32 arithmetic wraps as JavaScript's Math.imul and |0 do.
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        let s = uniforms.seed + (u32(index) + 1u) * 0x6d2b79f5u;
        var t = (s ^ (s >> 15u)) * (s | 1u);
        t = t ^ (t + (t ^ (t >> 7u)) * (t | 61u));
        let r = t ^ (t >> 14u);
        setOutputAtIndex(index, select(0.0, uniforms.value, r < uniforms.bound));
      }
    }`;
  }
}

let registered = false;

function register(): void {
  tf.registerKernel({
    kernelName: FORMULA,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { code, constants } = attrs as unknown as { code: string; constants: number[] };
      const xs = Object.values(inputs) as tf.TensorInfo[];
      const program = new FormulaProgram(code, xs.length, constants.length, (xs[0] as tf.TensorInfo).shape);
      const uniforms = constants.map((v): Uniform => ({ type: 'float32', data: [v] }));
      return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(program, xs, 'float32', uniforms);
    },
  });
  tf.registerKernel({
    kernelName: BERNOULLI,
    backendName: 'webgpu',
    kernelFunc: ({ backend, attrs }) => {
      const { shape, seed, bound, value } = attrs as unknown as {
        shape: number[];
        seed: number;
        bound: number;
        value: number;
      };
      const uniforms: Uniform[] = [
        { type: 'uint32', data: [seed] },
        { type: 'uint32', data: [bound] },
        { type: 'float32', data: [value] },
      ];
      return (backend as unknown as WebGPUBackendLike).runWebGPUProgram(
        new BernoulliProgram(shape),
        [],
        'float32',
        uniforms,
      );
    },
  });
  registered = true;
}

/**
 * Whether brickml's own webgpu kernels run now: the active backend is tfjs' webgpu and they are not
 * switched off (setOwnKernels).
 */
export function webgpuKernels(): boolean {
  if (!ownKernelsOn() || tf.getBackend() !== 'webgpu') return false;
  if (!registered) {
    if (typeof (tf.backend() as Partial<WebGPUBackendLike>).runWebGPUProgram !== 'function') return false;
    register();
  }
  return true;
}

/** An element-wise formula's WGSL over same-shape float32 tensors, in one dispatch (see formula.ts). */
export function runWebGPUFormula(code: string, inputs: readonly tf.Tensor[], constants: number[]): tf.Tensor {
  const named = Object.fromEntries(inputs.map((t, i) => [`x${i}`, t]));
  return tf.engine().runKernel(FORMULA, named, { code, constants } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * The mask Random.bernoulliArray(size, ·, value) would draw from counter `seed`, drawn on the device:
 * `value` where mulberry32's output is below `bound`, else 0.
 */
export function runWebGPUBernoulli(shape: readonly number[], seed: number, bound: number, value: number): tf.Tensor {
  const attrs = { shape: [...shape], seed, bound, value };
  return tf.engine().runKernel(BERNOULLI, {}, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
