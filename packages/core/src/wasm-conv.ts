/**
 * A 2-D convolution (NHWC, dilation 1) as brickml's matrix product over patches that are never built
 * (wasm-gemm.ts, `conv`): output pixels are the rows, the window's (row, column, channel) the inner
 * dimension read straight from the padded image, the kernel [kh·kw·c, f] the panels. Runs where matMul's own
 * kernel runs (ownMatMul: wasm with relaxed SIMD), cut over threads like it, for the forward pass and for
 * Conv2D's dx (a convolution of the padded dz with the flipped kernel); elsewhere tf.conv2d.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pad2d } from './pad.js';
import {
  alignedPanel,
  beforeEpilogue,
  call,
  type Epilogue,
  ownMatMul,
  runSlices,
  type Slice,
  slices,
  threadsFor,
} from './wasm-matmul.js';
import { memoryOf, registerWasmKernel } from './wasm-module.js';

const CONV = 'BrickmlConv2D';
const FILTER = 'BrickmlConv2DFilter';

/** Parts of a kernel gradient's images per thread, claimed as the threads go (each part has a dW of its own). */
const IMAGE_PARTS_PER_THREAD = 2;

let registered = false;
function register(): void {
  registerWasmKernel(CONV, ({ inputs, attrs, wasm, at }) => {
    const { x, w, bias } = inputs as { x: tf.TensorInfo; w: tf.TensorInfo; bias?: tf.TensorInfo };
    const { strides, relu } = attrs as unknown as { strides: [number, number]; relu: boolean };
    const [sh, sw] = strides;
    const [images, hp, wp, c] = x.shape as [number, number, number, number];
    const [kh, kw, , f] = w.shape as [number, number, number, number];
    const [oh, ow] = [Math.floor((hp - kh) / sh) + 1, Math.floor((wp - kw) / sw) + 1];
    const out = wasm.makeOutput([images, oh, ow, f], 'float32');
    const k = kh * kw * c;
    const conv = { hp, wp, c, kh, kw, oh, ow, sh, sw };
    const m = images * oh * ow;
    const memory = memoryOf(wasm) as { buffer: ArrayBuffer };
    const epilogue = { bias: bias !== undefined, relu };
    const whole = { m, n: f, k, transposeA: false, transposeB: false, lda: k, ldb: f, conv, ...epilogue };
    const cut = slices(memory, whole);
    const panel = wasm.makeOutput([cut.panelFloats], 'float32');
    // Each output pixel's window, as a byte offset into x: ((image·hp + row·sh)·wp + column·sw)·c·4.
    const windows = wasm.makeOutput([m], 'int32');
    const table = new Int32Array(memory.buffer, at(windows), m);
    for (let i = 0, t = 0; i < images; i++) {
      for (let row = 0; row < oh; row++) {
        for (let col = 0; col < ow; col++) table[t++] = 4 * c * ((i * hp + row * sh) * wp + col * sw);
      }
    }
    const lists = cut.slices.map(({ shape, b, c, windows: rows, panel: p, bias: first }) => [
      call(
        memory,
        shape,
        [
          at(x),
          at(w) + b,
          at(out) + c,
          0,
          alignedPanel(at(panel)) + p,
          at(windows) + rows,
          bias ? at(bias) + first : 0,
        ],
        at(panel) + 4 * cut.panelFloats,
      ),
    ]);
    runSlices(memory, lists);
    wasm.disposeData(panel.dataId);
    wasm.disposeData(windows.dataId);
    return out;
  });
  tf.registerGradient({
    kernelName: CONV,
    inputsToSave: ['x', 'w'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, w, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const { strides, relu } = attrs as unknown as { strides: [number, number]; relu: boolean };
      const d = beforeEpilogue(dy as tf.Tensor, y, relu) as tf.Tensor4D;
      return {
        x: () => tf.conv2dTranspose(d, w, x.shape, strides, 'valid'),
        w: () => kernelGrad(x, d, w.shape, strides),
        bias: () => tf.sum(d, [0, 1, 2]),
      };
    },
  });
  registerWasmKernel(FILTER, ({ inputs, attrs, wasm, at }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, size } = attrs as unknown as { strides: [number, number]; size: [number, number] };
    const [images, hp, wp, c] = x.shape as [number, number, number, number];
    const [, oh, ow, f] = dy.shape as [number, number, number, number];
    const [[kh, kw], [sh, sw]] = [size, strides];
    const out = wasm.makeOutput([kh, kw, c, f], 'float32');
    const k = oh * ow;
    const patchesT = { hp, wp, c, kh, kw, oh, ow, sh, sw };
    const memory = memoryOf(wasm) as { buffer: ArrayBuffer };
    const m = kh * kw * c;
    const whole = { m, n: f, k, transposeA: false, transposeB: false, lda: k, ldb: f, patchesT };
    // Over threads the images are cut, each part summing its images' dW into a C of its own, and the parts'
    // sums are then added in order: cutting the filters instead had every part read all the images.
    const threads = threadsFor(memory, m * f * k * images);
    const per = threads > 1 ? Math.ceil(images / Math.min(images, threads * IMAGE_PARTS_PER_THREAD)) : images;
    const parts = Math.ceil(images / per) || 1;
    const one = slices(memory, whole, k, images, 1);
    const { shape } = one.slices[0] as Slice;
    const sums = parts > 1 ? wasm.makeOutput([(parts - 1) * m * f], 'float32') : null;
    const panel = wasm.makeOutput([parts * one.panelFloats], 'float32');
    // One image a pass: its pixels' dy fit a panel in L2, and each pass adds to its part's dW.
    const lists = Array.from({ length: parts }, (_, p) => {
      const to = p === 0 ? at(out) : at(sums as tf.TensorInfo) + 4 * (p - 1) * m * f;
      const first = p * per;
      return Array.from({ length: Math.min(per, images - first) }, (_, i) =>
        call(
          memory,
          shape,
          [
            at(x) + 4 * (first + i) * hp * wp * c,
            at(dy) + 4 * (first + i) * k * f,
            to,
            i > 0 ? 1 : 0,
            alignedPanel(at(panel)) + 4 * p * one.panelFloats,
            0,
            0,
          ],
          at(panel) + 4 * parts * one.panelFloats,
        ),
      );
    });
    runSlices(memory, lists);
    const heap = new Float32Array(memory.buffer);
    if (images === 0) heap.fill(0, at(out) / 4, at(out) / 4 + m * f);
    if (sums) {
      const [o, s0] = [at(out) / 4, at(sums) / 4];
      for (let p = 1; p < parts; p++) {
        const s = s0 + (p - 1) * m * f;
        for (let j = 0; j < m * f; j++) heap[o + j] = (heap[o + j] as number) + (heap[s + j] as number);
      }
      wasm.disposeData(sums.dataId);
    }
    wasm.disposeData(panel.dataId);
    return out;
  });
  registered = true;
}

/** dW[a, b] = Σ x[·, a + s·i, b + s·j, ·]ᵀ·dy[·, i, j, ·]: one strided slice and matMul per tap (autodiff only). */
function kernelGrad(x: tf.Tensor4D, dy: tf.Tensor4D, shape: number[], [sh, sw]: [number, number]): tf.Tensor {
  const [kh, kw, c, f] = shape as [number, number, number, number];
  const [n, oh, ow] = dy.shape;
  const rows = tf.reshape(dy, [n * oh * ow, f]);
  const taps: tf.Tensor[] = [];
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const end = [n, a + (oh - 1) * sh + 1, b + (ow - 1) * sw + 1, c];
      const view = tf.reshape(tf.stridedSlice(x, [0, a, b, 0], end, [1, sh, sw, 1]), [n * oh * ow, c]);
      taps.push(tf.matMul(view, rows, true, false));
    }
  }
  return tf.reshape(tf.stack(taps), [kh, kw, c, f]);
}

/**
 * x [n, h, w, c] convolved with kernel [kh, kw, c, f] at `strides`, x first padded by `pads`
 * ([[top, bottom], [left, right]]), dilation 1, then the epilogue's bias (one number per filter) and relu:
 * brickml's kernel where ownMatMul(), the epilogue applied as the output's tiles are written; else
 * tf.conv2d, or tf.fused.conv2d with an epilogue (XNNPACK's fused bias and clamp on wasm).
 */
export function conv2d(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  strides: [number, number],
  pads: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ],
  { bias, relu = false }: Epilogue = {},
): tf.Tensor4D {
  const explicit = [[0, 0], ...pads, [0, 0]] as tf.backend_util.ExplicitPadding;
  const theirs = () =>
    bias || relu
      ? tf.fused.conv2d({ x, filter: kernel, strides, pad: explicit, bias, activation: relu ? 'relu' : 'linear' })
      : tf.conv2d(x, kernel, strides, explicit, 'NHWC');
  // A window of fewer than 64 numbers (Keras' first 3×3 convolution of a grey image: 9) leaves the tile's
  // setup larger than its sums: XNNPACK's convolution is faster there.
  const [kh, kw, c, f] = kernel.shape;
  const own = x.dtype === 'float32' && kernel.dtype === 'float32' && x.shape[3] === c && kh * kw * c >= 64;
  const biasFits = !bias || (bias.dtype === 'float32' && bias.rank === 1 && bias.shape[0] === f);
  if (!own || !biasFits || !ownMatMul()) return theirs();
  if (!registered) register();
  return tf.tidy(() => {
    const padded = pad2d(x, pads);
    const [, hp, wp] = padded.shape;
    if (hp < kh || wp < kw) return theirs();
    const attrs = { strides, relu } as unknown as tf.NamedAttrMap;
    const inputs: tf.NamedTensorMap = bias ? { x: padded, w: kernel, bias } : { x: padded, w: kernel };
    return tf.engine().runKernel(CONV, inputs, attrs) as tf.Tensor4D;
  });
}

/**
 * A convolution's kernel gradient dW [kh, kw, c, f] = P(x)ᵀ·dy, for x [n, h, w, c] first padded by `pads`
 * and dy [n, oh, ow, f], dilation 1: brickml's kernel over the patches' transpose, never built, one image a
 * pass, where ownMatMul(); else one strided slice and product per tap.
 */
export function conv2dKernelGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  size: [number, number],
  strides: [number, number],
  pads: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ],
): tf.Tensor4D {
  return tf.tidy(() => {
    const padded = pad2d(x, pads);
    if (x.dtype === 'float32' && dy.dtype === 'float32' && ownMatMul()) {
      if (!registered) register();
      const attrs = { strides, size } as unknown as tf.NamedAttrMap;
      return tf.engine().runKernel(FILTER, { x: padded, dy }, attrs) as tf.Tensor4D;
    }
    return kernelGrad(padded, dy, [...size, x.shape[3], dy.shape[3]], strides) as tf.Tensor4D;
  });
}
