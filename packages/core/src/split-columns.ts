/**
 * A matrix's columns split into parts (tf.split along axis 1), as a recurrent step splits its gates: tf.split,
 * except on tfjs' wasm backend, where a kernel of brickml's own, BrickmlSplitColumns, copies each row's run
 * of each part as one block within the backend's memory: an LSTM step's [32, 512] into four took 16 µs
 * against 90 for wasm's SplitV, 14 times in an addition_rnn step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { bytesOf, ELEMENT_BYTES, ownCopies, registerWasmKernel } from './wasm-module.js';

const SPLIT = 'BrickmlSplitColumns';

let registered = false;
function register(): void {
  registerWasmKernel(SPLIT, ({ inputs, attrs, wasm, at }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const sizes = (attrs as unknown as { sizes: number[] }).sizes;
    const [rows, cols] = x.shape as [number, number];
    const bytes = ELEMENT_BYTES[x.dtype] as number;
    const outs = sizes.map((width) => wasm.makeOutput([rows, width], x.dtype));
    const heap = bytesOf(wasm);
    const from = at(x);
    let first = 0;
    for (const [p, width] of sizes.entries()) {
      const to = at(outs[p] as tf.TensorInfo);
      for (let r = 0; r < rows; r++) {
        const source = from + (r * cols + first) * bytes;
        heap.copyWithin(to + r * width * bytes, source, source + width * bytes);
      }
      first += width;
    }
    return outs;
  });
  tf.registerGradient({
    kernelName: SPLIT,
    gradFunc: (dy) => ({ x: () => tf.concat(dy as tf.Tensor[], 1) }),
  });
  registered = true;
}

/**
 * t's columns in `sizes.length` parts of those widths, or in `sizes` equal parts: brickml's kernel on wasm,
 * else tf.split(t, sizes, 1).
 */
export function splitColumns(t: tf.Tensor2D, sizes: number | readonly number[]): tf.Tensor2D[] {
  const cols = t.shape[1];
  const widths = typeof sizes === 'number' ? new Array<number>(sizes).fill(cols / sizes) : [...sizes];
  const fits =
    t.rank === 2 && widths.every((w) => Number.isInteger(w) && w >= 0) && widths.reduce((a, b) => a + b, 0) === cols;
  if (fits && ownCopies(t.dtype)) {
    if (!registered) register();
    const attrs = { sizes: widths } as unknown as tf.NamedAttrMap;
    return tf.engine().runKernel(SPLIT, { x: t }, attrs) as unknown as tf.Tensor2D[];
  }
  return tf.split(t, typeof sizes === 'number' ? sizes : [...sizes], 1) as tf.Tensor2D[];
}
