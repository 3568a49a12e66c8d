/**
 * Max pooling's backward over windows that tile the input from its top-left corner (window = stride, no
 * padding; rows and columns past the last window get nothing): dx[n, i·k0 + a, j·k1 + b, c] = dy[n, i, j, c]
 * at the window's first cell, in row-major window order, where x is not below y = max pooling of x (where
 * no cell is, a NaN, the first cell); zero elsewhere. On tfjs' wasm backend with SIMD, for channel counts
 * divisible by 4, a kernel of brickml's own, BrickmlRouteToMax, generated per shape (wasm-module.ts), does
 * it in one pass, four channels at a time: the same rule as tfjs ops took five broadcasting passes and a
 * max pooling for. Elsewhere `routeToFirstMax` returns null and the caller keeps its ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ownKernelsOn } from './own-kernels.js';
import {
  compile,
  forUp,
  get,
  I32,
  i32Const,
  v128Load as load,
  madeFor,
  memoryOf,
  registerWasmKernel,
  set,
  simd,
  simdSupported,
  v128Store as store,
  V128,
  type WasmBackendLike,
} from './wasm-module.js';

const ROUTE = 'BrickmlRouteToMax';

/** x [n, h, w, c], windows k0 × k1, oh × ow of them. */
interface RouteShape {
  n: number;
  h: number;
  w: number;
  c: number;
  k0: number;
  k1: number;
  oh: number;
  ow: number;
}

// Parameters run(x, y, dy, dx): byte offsets. i32 locals: the window corner's byte offset in x (and dx),
// the pooled byte offset in y (and dy), loop counters. v128 locals: y, dy, the lanes already routed, a pick.
const [X, Y, DY, DX, XO, Q, IMG, ROW, COL, G] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [TOP, D, TAKEN, PICK] = [10, 11, 12, 13];
const add = 0x6a;
const at = (base: number, offset: number[]) => [...get(base), ...offset, add];
const bump = (local: number, bytes: number) => (bytes ? [...get(local), ...i32Const(bytes), add, ...set(local)] : []);
const ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];

function routeCode({ n, h, w, c, k0, k1, oh, ow }: RouteShape): number[] {
  const cells: number[] = [];
  for (let a = 0; a < k0; a++) {
    for (let b = 0; b < k1; b++) {
      const offset = 4 * (a * w + b) * c;
      // pass = !(top − x > 0); pick = pass and not yet taken; dx = dy where picked, +0 elsewhere.
      cells.push(...get(TOP), ...at(X, get(XO)), ...load(offset), ...simd(0xe5), ...ZERO, ...simd(0x44));
      cells.push(...simd(0x4d), ...get(TAKEN), ...simd(0x4f), ...set(PICK));
      cells.push(...at(DX, get(XO)), ...get(D), ...get(PICK), ...simd(0x4e), ...store(offset));
      cells.push(...get(TAKEN), ...get(PICK), ...simd(0x50), ...set(TAKEN));
    }
  }
  // Lanes no cell passed (NaN): dy goes to the window's first cell.
  const first = [...at(DX, get(XO)), ...at(DX, get(XO)), ...load(0), ...get(D), ...get(TAKEN), ...simd(0x4f)];
  first.push(...simd(0x50), ...store(0));
  const group = [
    ...[...at(Y, get(Q)), ...load(0), ...set(TOP), ...at(DY, get(Q)), ...load(0), ...set(D)],
    ...[...ZERO, ...set(TAKEN), ...cells, ...first, ...bump(XO, 16), ...bump(Q, 16)],
  ];
  // After a window's channels, the next window is k1 − 1 pixels further on; after a row of windows, the
  // next row of windows starts k0 rows down; after an image, its rows past the last window are skipped.
  const window = [...forUp(G, i32Const(0), c / 4, 1, group), ...bump(XO, 4 * (k1 - 1) * c)];
  const row = [...forUp(COL, i32Const(0), ow, 1, window), ...bump(XO, 4 * (k0 * w - ow * k1) * c)];
  const image = [...forUp(ROW, i32Const(0), oh, 1, row), ...bump(XO, 4 * (h - oh * k0) * w * c)];
  return [...i32Const(0), ...set(XO), ...i32Const(0), ...set(Q), ...forUp(IMG, i32Const(0), n, 1, image)];
}

type Route = (x: number, y: number, dy: number, dx: number) => void;
function routeFor(memory: object, shape: RouteShape): Route {
  return madeFor(memory, `route ${JSON.stringify(shape)}`, () => {
    const locals: [number, number][] = [
      [6, I32],
      [4, V128],
    ];
    return compile(memory as never, [I32, I32, I32, I32], locals, routeCode(shape)) as Route;
  });
}

let registered = false;
function register(): void {
  registerWasmKernel(ROUTE, ({ inputs, attrs, wasm, at: offsetOf }) => {
    const { dy, x, y } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo; y: tf.TensorInfo };
    const [k0, k1] = (attrs as unknown as { size: [number, number] }).size;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const [, oh, ow] = y.shape as [number, number, number, number];
    const out = wasm.makeOutput([n, h, w, c], 'float32');
    const memory = memoryOf(wasm) as { buffer: ArrayBufferLike };
    // Cells past the last window are never written by the kernel.
    if (h > oh * k0 || w > ow * k1) new Float32Array(memory.buffer, offsetOf(out), n * h * w * c).fill(0);
    routeFor(memory, { n, h, w, c, k0, k1, oh, ow })(offsetOf(x), offsetOf(y), offsetOf(dy), offsetOf(out));
    return out;
  });
  registered = true;
}

/**
 * Whether routeToFirstMax runs brickml's kernel now: tfjs' wasm backend with SIMD, own kernels on
 * (setOwnKernels).
 */
export function ownRouteToFirstMax(): boolean {
  if (!ownKernelsOn() || tf.getBackend() !== 'wasm' || !simdSupported()) return false;
  if (!memoryOf(tf.backend() as unknown as Partial<WasmBackendLike>)) return false;
  if (!registered) register();
  return true;
}

/**
 * dx [N, H, W, C] of max pooling y = maxPool(x, size, strides = size, 'valid') for dy shaped like y, by the
 * first-maximum rule above: brickml's kernel where ownRouteToFirstMax() and C is divisible by 4; null
 * elsewhere (the caller keeps its tfjs ops).
 */
export function routeToFirstMax(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  size: [number, number],
): tf.Tensor4D | null {
  const [[, h, w, c], [n, oh, ow, yc]] = [x.shape, y.shape];
  const fits =
    [dy, x, y].every((t) => t.dtype === 'float32') &&
    dy.shape.every((d, i) => d === y.shape[i]) &&
    x.shape[0] === n &&
    c === yc &&
    c % 4 === 0 &&
    oh * size[0] <= h &&
    ow * size[1] <= w;
  if (!fits || !ownRouteToFirstMax()) return null;
  const attrs = { size } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(ROUTE, { dy, x, y }, attrs) as tf.Tensor4D;
}
