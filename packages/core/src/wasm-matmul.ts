/**
 * The matrix product bricks use, C = op(A)·op(B) of two float32 matrices (op(X) = X or Xᵀ):
 * - on tfjs' wasm backend with one thread, where the engine has relaxed SIMD, a kernel of brickml's own
 *   (BrickmlMatMul, wasm-gemm.ts): fused multiply-adds, which tfjs' XNNPACK build cannot use, and Aᵀ and Bᵀ
 *   read in place instead of transposed (and packed) first. B is copied 8 columns and at most KC rows at a
 *   time into a panel that stays in the L1 cache; a longer k runs in passes that add to C; any column count;
 * - elsewhere tf.matMul, with explicit transposes (wasm's transpose flags are slow).
 * The kernel has a registered gradient, so tfjs' autodiff differentiates through it like through MatMul.
 * Sums are fused where the hardware fuses them, so results can differ from tf.matMul in the last bits.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ownKernelsOn } from './own-kernels.js';
import { type GemmShape, gemmCode } from './wasm-gemm.js';
import {
  compile,
  memoryOf,
  registerWasmKernel,
  relaxedSimdSupported,
  simdSupported,
  type WasmBackendLike,
} from './wasm-module.js';

const MATMUL = 'BrickmlMatMul';
/** k per pass: each 8-column panel of B, KC·8 floats (32 KiB), stays in a 48 KiB L1 beside a tile's A rows. */
const KC = 1024;
/** Rows of C per tile and steps of k per loop turn: the fastest measured on x64 (bench/kernels.ts). */
const [MR, UNROLL] = [6, 4];

type Run = (a: number, b: number, c: number, accumulate: number, panel: number, windows: number) => void;

/** Compiled products per backend memory and shape. */
const compiled = new WeakMap<object, Map<string, Run>>();
/** The compiled product for a shape (kept per backend memory). */
export function productFor(memory: object, shape: Omit<GemmShape, 'mr' | 'unroll' | 'fma'>): Run {
  let byShape = compiled.get(memory);
  if (!byShape) {
    byShape = new Map();
    compiled.set(memory, byShape);
  }
  const key = JSON.stringify(shape);
  let run = byShape.get(key);
  if (!run) {
    const { params, locals, code } = gemmCode({ ...shape, mr: MR, unroll: UNROLL, fma: true });
    run = compile(memory as never, params, locals, code) as Run;
    byShape.set(key, run);
  }
  return run;
}

let registered = false;
function register(): void {
  registerWasmKernel(MATMUL, ({ inputs, attrs, wasm, at }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const [lda, ldb] = [a.shape[1] as number, b.shape[1] as number];
    const [m, k] = transposeA ? [lda, a.shape[0] as number] : [a.shape[0] as number, lda];
    const n = (transposeB ? b.shape[0] : ldb) as number;
    const out = wasm.makeOutput([m, n], 'float32');
    const panel = wasm.makeOutput([Math.min(k, KC) * 4 * Math.ceil(n / 4)], 'float32');
    const memory = memoryOf(wasm) as object;
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = Math.min(KC, k - k0);
      const run = productFor(memory, { m, n, k: kc, transposeA, transposeB, lda, ldb });
      // The pass's first step of k: a row of A (or a column of Aᵀ) further on, likewise for B.
      const [a0, b0] = [4 * k0 * (transposeA ? lda : 1), 4 * k0 * (transposeB ? 1 : ldb)];
      run(at(a) + a0, at(b) + b0, at(out), k0 > 0 ? 1 : 0, at(panel), 0);
    }
    wasm.disposeData(panel.dataId);
    return out;
  });
  tf.registerGradient({
    kernelName: MATMUL,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
      const c = dy as tf.Tensor2D;
      const { transposeA: tA, transposeB: tB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      // C = op(A)·op(B): d op(A) = dC·op(B)ᵀ and d op(B) = op(A)ᵀ·dC, transposed back where stored so.
      return {
        a: () => (tA ? tf.matMul(b, c, tB, true) : tf.matMul(c, b, false, !tB)),
        b: () => (tB ? tf.matMul(c, a, true, tA) : tf.matMul(a, c, !tA, false)),
      };
    },
  });
  registered = true;
}

/**
 * Whether matMul runs brickml's own kernel now: tfjs' wasm backend on one thread (the kernel would leave a
 * pool idle), an engine with SIMD and relaxed SIMD, and own kernels on (setOwnKernels).
 */
export function ownMatMul(): boolean {
  if (!ownKernelsOn() || tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend() as unknown as Partial<WasmBackendLike> & {
    wasm?: { tfjs?: { getThreadsCount?(): number } };
  };
  if (!memoryOf(backend) || backend.wasm?.tfjs?.getThreadsCount?.() !== 1) return false;
  if (!simdSupported() || !relaxedSimdSupported()) return false;
  if (!registered) register();
  return true;
}

/**
 * op(A)·op(B) for float32 matrices, op(X) = Xᵀ when its flag is set (Aᵀ stored [k, m], Bᵀ stored [n, k]):
 * brickml's own kernel on single-threaded wasm with relaxed SIMD, else tf.matMul with explicit transposes.
 */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  const k = a.shape[transposeA ? 0 : 1];
  const fits = a.rank === 2 && b.rank === 2 && k > 0 && b.shape[transposeB ? 1 : 0] === k;
  if (fits && a.dtype === 'float32' && b.dtype === 'float32' && ownMatMul()) {
    const attrs = { transposeA, transposeB } as unknown as tf.NamedAttrMap;
    return tf.engine().runKernel(MATMUL, { a, b }, attrs) as tf.Tensor2D;
  }
  return tf.tidy(() => tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b));
}
