/**
 * The matrix product bricks use, C = op(A)·op(B) of two float32 matrices (op(X) = X or Xᵀ):
 * - on tfjs' wasm backend, where the engine has relaxed SIMD, a kernel of brickml's own (BrickmlMatMul,
 *   wasm-gemm.ts): fused multiply-adds, which tfjs' XNNPACK build cannot use, and Aᵀ and Bᵀ never
 *   transposed as tensors. B is copied 8 columns and at most KC rows at a time into a panel that stays in
 *   the L1 cache, Aᵀ into panels of a tile's rows; a longer k runs in passes that add to C; any column
 *   count. On the threaded build, C is cut into slices that run on helper threads beside this one
 *   (wasm-helpers.ts);
 * - elsewhere tf.matMul, with explicit transposes (wasm's transpose flags are slow).
 * The kernel has a registered gradient, so tfjs' autodiff differentiates through it like through MatMul.
 * Sums are fused where the hardware fuses them, so results can differ from tf.matMul in the last bits.
 */
import * as tf from '@tensorflow/tfjs-core';
import { inputOf, mul, runFormula, step } from './formula.js';
import { ownKernelsOn } from './own-kernels.js';
import { aPanelFloats, type GemmShape, gemmCode, packsA, RUN_PARAMS } from './wasm-gemm.js';
import { kernelHelpers, type ProductCall, runOnThreads } from './wasm-helpers.js';
import {
  compileModule,
  madeFor,
  memoryOf,
  registerWasmKernel,
  relaxedSimdSupported,
  simdSupported,
  type WasmBackendLike,
} from './wasm-module.js';

const MATMUL = 'BrickmlMatMul';
/** k per pass: each 8-column panel of B, KC·8 floats (32 KiB), stays in a 48 KiB L1 beside a tile's A rows. */
const KC = 1024;
/**
 * Rows of C per tile and steps of k per loop turn: the fastest measured on x64. V8's optimizing compiler
 * loads every unrolled step's B vectors and splats first, so a 6×8 tile unrolled by 4 (12 accumulators)
 * spilled its accumulators to the stack around each multiply-add: 15-16 GMAC/s. A 4×8 tile, one step a
 * turn, keeps all 14 vectors in registers: 19-22 GMAC/s on the same products and convolution.
 */
const [MR, UNROLL] = [4, 1];

type Run = (a: number, b: number, c: number, accumulate: number, panel: number, windows: number, bias: number) => void;
/** A product's shape without the tile settings, which are fixed here. */
export type ProductShape = Omit<GemmShape, 'mr' | 'unroll' | 'fma'>;
/** A compiled product: its module (for helper threads) and its run on this thread. */
export interface Product {
  module: object;
  run: Run;
}

/** The compiled product for a shape (kept per backend memory). */
export function productFor(memory: object, shape: ProductShape): Product {
  return madeFor(memory, `product ${JSON.stringify(shape)}`, () => {
    const { params, locals, code } = gemmCode({ ...shape, mr: MR, unroll: UNROLL, fma: true });
    return compileModule(memory as never, params, locals, code) as Product;
  });
}

/** The byte just past a product's panels: of B from byte `panel`, of A from `aPanel` where it packs A. */
function panelsEnd(shape: ProductShape, panel: number, aPanel: number): number {
  const aEnd = packsA(shape) ? aPanel + 4 * aPanelFloats(shape, MR) : 0;
  return Math.max(panel + 16 * shape.k * Math.ceil(shape.n / 4), aEnd);
}

const overrun = ({ m, n, k }: ProductShape) =>
  new Error(`brickml's product [${m}, ${n}, ${k}]: its panel overruns the room made for it`);

/**
 * One call of a compiled product, with its run's seven arguments; `panelEnd` is where the room for panels
 * ends, checked here: a panel that overran it would overwrite whatever the allocator put next.
 */
export function call(memory: object, shape: ProductShape, args: number[], panelEnd: number): ProductCall {
  if (args.length !== RUN_PARAMS)
    throw new Error(`brickml's product takes ${RUN_PARAMS} arguments, not ${args.length}`);
  if (panelsEnd(shape, args[4] as number, args[5] as number) > panelEnd) throw overrun(shape);
  const { module, run } = productFor(memory, shape);
  return { module, run: run as ProductCall['run'], args };
}

/**
 * One thread's part of a product: its shape, and the bytes its A, B, C, window table, panels of B
 * (`panel`) and of A (`aPanel`, where it packs A: packsA) and first column's bias start past the whole
 * product's.
 */
export interface Slice {
  shape: ProductShape;
  a: number;
  b: number;
  c: number;
  windows: number;
  panel: number;
  aPanel: number;
  bias: number;
}

/**
 * Multiply-adds below which a product stays on one thread (about 1 ms of work). Handing a slice over costs
 * tens of microseconds, more where the helper has gone to sleep: with 2^20 the addition_rnn step, whose
 * products are 2-15 million, measured 21.8 ms against 17.7 on one thread; with 2^24 its products stay on
 * one thread, and mnist_mlp's and mnist_cnn's large ones (33 million and more) are still cut.
 */
const SPLIT_FROM = 1 << 24;

/** The threads a product of `macs` multiply-adds is cut over: this one and the helpers of `memory`, from SPLIT_FROM. */
export function threadsFor(memory: object, macs: number): number {
  return macs >= SPLIT_FROM ? 1 + (kernelHelpers(memory)?.count ?? 0) : 1;
}

/**
 * Chunks per thread of a product cut over threads. The threads claim chunks as they go (runOnThreads), so
 * a thread that starts late or runs slow, as on a machine whose other core is busy, takes fewer; more
 * chunks balance better, but each packs its own part of B (and of Aᵀ), and reads all of A when C's
 * columns are cut.
 */
const CHUNKS_PER_THREAD = 4;

/**
 * `shape` cut into slices of C, CHUNKS_PER_THREAD per thread there is (this one and the helpers of
 * `memory`, when the product is large enough: `passes` calls of `shape` add to the same C), and the floats
 * all slices' panels take for passes of `kc` steps of k. C's columns are cut, in groups of 8, so that each
 * slice packs only its own part of B; C's rows instead for a convolution (its output pixels, each part of
 * A read by one slice), where Aᵀ is packed (each slice packs its own rows of it), and where C has too few
 * columns.
 */
export function slices(
  memory: object,
  shape: ProductShape,
  kc = shape.k,
  passes = 1,
  threads = threadsFor(memory, shape.m * shape.n * shape.k * passes),
): { slices: Slice[]; panelFloats: number } {
  const { m, n, transposeA, transposeB, lda, ldb, conv, patchesT } = shape;
  const chunks = threads * CHUNKS_PER_THREAD;
  // Each slice's panels start on a cache line of their own (16 floats): see alignedPanel. B's panels first,
  // then A's where the slice packs A.
  const lines = (floats: number) => 16 * Math.ceil(floats / 16);
  const out: Slice[] = [];
  let panel = 0;
  const add = (part: ProductShape, at: { a: number; b: number; c: number; windows: number; bias: number }) => {
    const bFloats = lines(kc * 4 * Math.ceil(part.n / 4));
    out.push({ shape: part, ...at, panel: 4 * panel, aPanel: 4 * (panel + bFloats) });
    panel += bFloats + (packsA(part) ? lines(aPanelFloats({ m: part.m, k: kc }, MR)) : 0);
  };
  const byRows = threads > 1 && !patchesT && m >= MR * threads;
  if (threads > 1 && !conv && n >= 8 * threads && !(byRows && packsA(shape))) {
    const per = 8 * Math.ceil(n / chunks / 8);
    for (let j = 0; j < n; j += per) {
      const width = Math.min(per, n - j);
      const b = 4 * j * (transposeB ? ldb : 1);
      add({ ...shape, n: width, ldc: n }, { a: 0, b, c: 4 * j, windows: 0, bias: 4 * j });
    }
  } else if (byRows) {
    const per = MR * Math.ceil(m / chunks / MR);
    for (let i = 0; i < m; i += per) {
      const a = conv ? 0 : 4 * i * (transposeA ? 1 : lda);
      add({ ...shape, m: Math.min(per, m - i) }, { a, b: 0, c: 4 * i * n, windows: 4 * i, bias: 0 });
    }
  } else {
    add(shape, { a: 0, b: 0, c: 0, windows: 0, bias: 0 });
  }
  return { slices: out, panelFloats: panel + 16 };
}

/**
 * The first 64-byte boundary in a panel tensor at byte offset `at` (slices' panelFloats leave room for it).
 * tfjs' allocator aligns tensors to 8 bytes only; a panel read 8 bytes off a 16-byte boundary makes half
 * of the tile's vector loads of B cross cache lines, which measured the whole product up to twice as slow.
 */
export function alignedPanel(at: number): number {
  return (at + 63) & ~63;
}

/** Runs each slice's calls, in order, the slices spread over this thread and the helpers (runOnThreads). */
export function runSlices(memory: object, lists: ProductCall[][]): void {
  if (lists.length === 1) for (const { run, args } of lists[0] as ProductCall[]) run(...args);
  else runOnThreads(memory, lists);
}

/**
 * What a product adds to C before its epilogue: rows [row, row + m) of `to` ([R, n]), such as one step's
 * share of a recurrent brick's x·W for all steps, read where it lies (no slice of it is made).
 */
export interface Addend {
  to: tf.Tensor2D;
  row?: number | undefined;
}

/** The epilogue's attributes of a product kernel (BrickmlMatMul, BrickmlConv2D): relu after the sums and bias. */
export interface Epilogue {
  /** Added to each row of C (a convolution's output pixel), one number per column (filter). */
  bias?: tf.Tensor1D | undefined;
  /** relu(C) = max(C, 0), NaN kept. */
  relu?: boolean | undefined;
}

/** dy·[y > 0] over [dy, y]. */
const RELU_GRAD = mul(inputOf(0), step(inputOf(1)));

/**
 * d(the epilogue's input) from dy and the kernel's output y: relu' = [y > 0], as [z > 0] for z before relu
 * (y > 0 exactly where z > 0); one formula kernel, one pass (tf.mul and tf.step are two, three passes).
 */
export function beforeEpilogue(dy: tf.Tensor, y: tf.Tensor, relu: boolean): tf.Tensor {
  return relu ? runFormula(RELU_GRAD, [dy, y]) : dy;
}

/**
 * A product's cut (slices) for passes of at most KC steps of k, and its compiled calls per epilogue: made
 * once per shape and thread count, then run on any operands of that shape. Built anew each call (slices,
 * a module looked up by the shape's JSON per slice and pass), a tiny product's call took 12.6 µs on two
 * threads, 6.1 with the plan kept.
 */
interface ProductPlan {
  shape: ProductShape;
  slices: Slice[];
  /** Floats of room for all slices' panels, the 64-byte alignment included. */
  panelFloats: number;
  /** Per epilogue (bias + 2·relu), each slice's compiled call per pass of k. */
  runs: (Product[][] | undefined)[];
}

/** The plan of C = op(A)·op(B) for `shape`, cut over as many threads as its size calls for (threadsFor). */
function planProduct(memory: object, shape: ProductShape): ProductPlan {
  const { m, n, k, transposeA, transposeB, lda, ldb } = shape;
  const threads = threadsFor(memory, m * n * k);
  return madeFor(memory, `plan ${m} ${n} ${k} ${transposeA} ${transposeB} ${lda} ${ldb} ${threads}`, () => {
    const kc = Math.min(k, KC);
    const cut = slices(memory, shape, kc, 1, threads);
    // Every slice's panels within the room made for them, past the alignment (up to 60 bytes, see call).
    for (const sl of cut.slices) {
      if (panelsEnd({ ...sl.shape, k: kc }, sl.panel, sl.aPanel) + 60 > 4 * cut.panelFloats) throw overrun(shape);
    }
    return { shape, ...cut, runs: [] };
  });
}

/**
 * Each slice's calls of `plan`'s product over operands at byte offsets `at` (bias 0: none), one call per
 * pass of k, for runSlices: C = op(A)·op(B), plus C's contents where `accumulate`, then the epilogue; the
 * panels in the room of plan.panelFloats floats from byte `panel`.
 */
function productLists(
  memory: object,
  plan: ProductPlan,
  at: { a: number; b: number; c: number; bias: number },
  accumulate: boolean,
  relu: boolean,
  panel: number,
): ProductCall[][] {
  const { k, transposeA, transposeB, lda, ldb } = plan.shape;
  const epilogue = (at.bias ? 1 : 0) + (relu ? 2 : 0);
  // The epilogue runs once the sums are whole: in the last pass of k.
  let runs = plan.runs[epilogue];
  if (!runs) {
    runs = plan.slices.map((sl) =>
      Array.from({ length: Math.ceil(k / KC) }, (_, p) => {
        const last = (p + 1) * KC >= k ? { bias: at.bias !== 0, relu } : {};
        return productFor(memory, { ...sl.shape, k: Math.min(KC, k - p * KC), ...last });
      }),
    );
    plan.runs[epilogue] = runs;
  }
  const aligned = alignedPanel(panel);
  return plan.slices.map((sl, i) =>
    (runs[i] as Product[]).map(({ module, run }, p) => {
      // A pass's first step of k: a row of A (or a column of Aᵀ) further on, likewise for B.
      const k0 = p * KC;
      const [a0, b0] = [4 * k0 * (transposeA ? lda : 1), 4 * k0 * (transposeB ? 1 : ldb)];
      const args = [
        at.a + sl.a + a0,
        at.b + sl.b + b0,
        at.c + sl.c,
        k0 > 0 || accumulate ? 1 : 0,
        aligned + sl.panel,
        aligned + sl.aPanel,
        at.bias ? at.bias + sl.bias : 0,
      ];
      return { module, run: run as ProductCall['run'], args };
    }),
  );
}

/** B's panels made once (packB) for products that skip the copy: per pass of k, its first step, steps and panels' byte offset. */
export interface PackedB {
  n: number;
  passes: { k0: number; kc: number; panel: number }[];
}

/**
 * Copies B ([k, n] at byte `b`, or its transpose stored [n, k] where `transposeB`) into its panels, pass by
 * pass of KC steps of k, in the room of packedFloats(k, n) floats from byte `room`, for products whose
 * shape says panelB: 'packed' (packedCalls).
 */
export function packB(memory: object, b: number, k: number, n: number, room: number, transposeB = false): PackedB {
  const passes: PackedB['passes'] = [];
  let at = alignedPanel(room);
  const ldb = transposeB ? k : n;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    const shape = { m: 0, n, k: kc, transposeA: false, transposeB, lda: kc, ldb, panelB: 'pack' as const };
    productFor(memory, shape).run(0, b + 4 * k0 * (transposeB ? 1 : n), 0, 0, at, 0, 0);
    passes.push({ k0, kc, panel: at });
    at = alignedPanel(at + 16 * kc * Math.ceil(n / 4));
  }
  return { n, passes };
}

/** The floats of room packB takes for B [k, n], the alignment included. */
export function packedFloats(k: number, n: number): number {
  return Math.ceil(k / KC) * (4 * KC * Math.ceil(n / 4) + 16) + 16;
}

/**
 * The calls of C = A·B (+ C where `accumulate`) for A [m, k] (rows `lda` floats apart, at byte `a`) and B
 * packed by packB, C [m, B's n] at byte `c`: one call per pass, none of them copying B.
 */
export function packedCalls(
  memory: object,
  packed: PackedB,
  m: number,
  lda: number,
  a: number,
  c: number,
  accumulate: boolean,
): ProductCall[] {
  return packed.passes.map(({ k0, kc, panel }) => {
    const shape = { m, n: packed.n, k: kc, transposeA: false, transposeB: false, lda, ldb: packed.n };
    const { module, run } = productFor(memory, { ...shape, panelB: 'packed' });
    return {
      module,
      run: run as ProductCall['run'],
      args: [a + 4 * k0, 0, c, k0 > 0 || accumulate ? 1 : 0, panel, 0, 0],
    };
  });
}

let registered = false;
function register(): void {
  registerWasmKernel(MATMUL, ({ inputs, attrs, wasm, at }) => {
    const { a, b, bias, add } = inputs as {
      a: tf.TensorInfo;
      b: tf.TensorInfo;
      bias?: tf.TensorInfo;
      add?: tf.TensorInfo;
    };
    const { transposeA, transposeB, relu, addRow } = attrs as unknown as {
      transposeA: boolean;
      transposeB: boolean;
      relu: boolean;
      addRow: number;
    };
    const [lda, ldb] = [a.shape[1] as number, b.shape[1] as number];
    const [m, k] = transposeA ? [lda, a.shape[0] as number] : [a.shape[0] as number, lda];
    const n = (transposeB ? b.shape[0] : ldb) as number;
    const out = wasm.makeOutput([m, n], 'float32');
    const memory = memoryOf(wasm) as object;
    // The addend's rows copied into C, to which the first pass of k then adds (as a later pass does).
    if (add) {
      const heap = new Float32Array((memory as { buffer: ArrayBuffer }).buffer);
      const from = at(add) / 4 + addRow * n;
      heap.copyWithin(at(out) / 4, from, from + m * n);
    }
    const plan = planProduct(memory, { m, n, k, transposeA, transposeB, lda, ldb });
    const panel = wasm.makeOutput([plan.panelFloats], 'float32');
    const operands = { a: at(a), b: at(b), c: at(out), bias: bias ? at(bias) : 0 };
    const lists = productLists(memory, plan, operands, add !== undefined, relu, at(panel));
    runSlices(memory, lists);
    wasm.disposeData(panel.dataId);
    return out;
  });
  tf.registerGradient({
    kernelName: MATMUL,
    inputsToSave: ['a', 'b'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [a, b, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const {
        transposeA: tA,
        transposeB: tB,
        relu,
        addRow,
        addRows,
      } = attrs as unknown as {
        transposeA: boolean;
        transposeB: boolean;
        relu: boolean;
        addRow: number;
        addRows: number;
      };
      const c = beforeEpilogue(dy as tf.Tensor, y, relu) as tf.Tensor2D;
      const m = c.shape[0];
      // C = op(A)·op(B): d op(A) = dC·op(B)ᵀ and d op(B) = op(A)ᵀ·dC, transposed back where stored so.
      return {
        a: () => (tA ? tf.matMul(b, c, tB, true) : tf.matMul(c, b, false, !tB)),
        b: () => (tB ? tf.matMul(c, a, true, tA) : tf.matMul(a, c, !tA, false)),
        bias: () => tf.sum(c, 0),
        // The addend's rows take dC; its other rows, nothing.
        add: () =>
          tf.pad(c, [
            [addRow, addRows - addRow - m],
            [0, 0],
          ]),
      };
    },
  });
  registered = true;
}

/**
 * Whether matMul runs brickml's own kernel now: tfjs' wasm backend with XNNPACK's pool at one thread (the
 * kernel would otherwise leave the pool idle; in Node the threaded build keeps it at one and brickml's
 * products take the other threads, wasm-helpers.ts), an engine with SIMD and relaxed SIMD, and own kernels
 * on (setOwnKernels).
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

/** The threads brickml's own products run on now: 0 where ownMatMul() is false, else this one and its helpers. */
export function ownMatMulThreads(): number {
  if (!ownMatMul()) return 0;
  return 1 + (kernelHelpers(memoryOf(tf.backend() as unknown as Partial<WasmBackendLike>) as object)?.count ?? 0);
}

/**
 * op(A)·op(B) for float32 matrices, op(X) = Xᵀ when its flag is set (Aᵀ stored [k, m], Bᵀ stored [n, k]),
 * plus the addend's rows where one is given, then the epilogue's bias (one number per column) and relu:
 * brickml's own kernel where ownMatMul(), the sums started from the addend's rows and the epilogue applied
 * as C's tiles are written; on webgpu without an addend tfjs' fused product (Aᵀ read in place, bias and
 * relu in one kernel; Bᵀ made first); else tf.matMul with explicit transposes, tf.slice, tf.add and tf.relu.
 */
export function matMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA = false,
  transposeB = false,
  { bias, relu = false }: Epilogue = {},
  addend?: Addend,
): tf.Tensor2D {
  const m = a.shape[transposeA ? 1 : 0];
  const k = a.shape[transposeA ? 0 : 1];
  const n = b.shape[transposeB ? 0 : 1];
  const add = addend?.to;
  const addRow = addend?.row ?? 0;
  if (add && !(add.rank === 2 && add.shape[1] === n && addRow >= 0 && addRow + m <= add.shape[0])) {
    throw new Error(
      `matMul: the addend must be [R, ${n}] with rows ${addRow} to ${addRow + m} in it, received [${add.shape}]`,
    );
  }
  const fits = a.rank === 2 && b.rank === 2 && k > 0 && b.shape[transposeB ? 1 : 0] === k;
  const biasFits = !bias || (bias.rank === 1 && bias.shape[0] === n && bias.dtype === 'float32');
  const floats = [a, b, ...(add ? [add] : [])].every((t) => t.dtype === 'float32');
  if (fits && biasFits && floats && ownMatMul()) {
    const attrs = { transposeA, transposeB, relu, addRow, addRows: add?.shape[0] ?? 0 } as unknown as tf.NamedAttrMap;
    const inputs = { a, b, ...(bias && { bias }), ...(add && { add }) };
    return tf.engine().runKernel(MATMUL, inputs, attrs) as tf.Tensor2D;
  }
  if (fits && biasFits && floats && !add && tf.getBackend() === 'webgpu') {
    return tf.tidy(() => {
      // tfjs-webgpu's product reads A transposed in its shader and adds the bias and applies relu as it
      // writes C: one dispatch, where a transpose, the product, an add and a relu would be four. Bᵀ is made
      // first: read transposed, B ran at half speed on Mesa's llvmpipe ([128, 512]·[784, 512]ᵀ: 44 against
      // 24 ms; Aᵀ read in place, 24 against 23).
      const bb = transposeB ? tf.transpose(b) : b;
      // The kernel takes matrices as they are; the op (three reshapes and the kernel) only where its
      // gradient is needed.
      const activation = relu ? 'relu' : 'linear';
      if (tf.engine().isTapeOn()) return tf.fused.matMul({ a, b: bb, transposeA, bias, activation });
      const attrs = { transposeA, transposeB: false, activation } as unknown as tf.NamedAttrMap;
      return tf.engine().runKernel('_FusedMatMul', { a, b: bb, ...(bias && { bias }) }, attrs) as tf.Tensor2D;
    }) as tf.Tensor2D;
  }
  return tf.tidy(() => {
    let c: tf.Tensor2D = tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
    if (add) c = tf.add(c, m === add.shape[0] ? add : tf.slice(add, [addRow, 0], [m, n]));
    if (bias) c = tf.add(c, bias);
    return relu ? tf.relu(c) : c;
  });
}
