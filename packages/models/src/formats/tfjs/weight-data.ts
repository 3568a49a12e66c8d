/**
 * tfjs' weight binary: the weights of weightSpecs one after another, little-endian, float32 or int32, or
 * quantized (uint8 / uint16: q·scale + min; float16), as tf.io writes it. Read synchronously into float32
 * values, since brickml's weights are float32.
 */
import { formatShape, sizeOf } from '@brickml/core';
import type { io } from '@tensorflow/tfjs-core';
import { fail } from '../keras-config/errors.js';
import type { FileWeight } from '../keras-config/index.js';

/** float16 bits → float32 value. */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

const QUANTIZED_BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;

/** Every weight of the binary by name, as float32 values; named errors for dtypes and sizes that do not fit. */
export function decodeWeights(
  who: string,
  specs: readonly io.WeightsManifestEntry[],
  data: Uint8Array,
): Map<string, FileWeight> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Map<string, FileWeight>();
  let at = 0;
  for (const spec of specs) {
    const n = sizeOf(spec.shape);
    const q = spec.quantization;
    const label = `weight '${spec.name}' (${spec.dtype} ${formatShape(spec.shape)})`;
    if (!q && spec.dtype !== 'float32' && spec.dtype !== 'int32') {
      return fail(who, `${label}: dtype must be float32 or int32, received ${spec.dtype}`);
    }
    const width = q ? QUANTIZED_BYTES[q.dtype] : 4;
    if (width === undefined)
      return fail(who, `${label}: quantization must be uint8, uint16 or float16, received ${q?.dtype}`);
    if (at + n * width > data.byteLength) {
      return fail(who, `${label} needs ${n * width} bytes at offset ${at}, the weight data holds ${data.byteLength}`);
    }
    if (out.has(spec.name)) return fail(who, `weight '${spec.name}' is listed twice`);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const o = at + i * width;
      if (!q) values[i] = spec.dtype === 'int32' ? view.getInt32(o, true) : view.getFloat32(o, true);
      else if (q.dtype === 'float16') values[i] = half(view.getUint16(o, true));
      else {
        const v = q.dtype === 'uint8' ? view.getUint8(o) : view.getUint16(o, true);
        values[i] = v * (q.scale ?? 1) + (q.min ?? 0);
      }
    }
    out.set(spec.name, { shape: [...spec.shape], values });
    at += n * width;
  }
  if (at !== data.byteLength)
    return fail(who, `the weight data holds ${data.byteLength} bytes, its weights take ${at}`);
  return out;
}

/** float32 weights → tfjs' binary and its specs, in the order given. */
export function encodeWeights(weights: readonly { name: string; shape: number[]; values: Float32Array }[]) {
  const specs: io.WeightsManifestEntry[] = weights.map(({ name, shape }) => ({ name, shape, dtype: 'float32' }));
  const data = new Uint8Array(weights.reduce((n, w) => n + w.values.byteLength, 0));
  let at = 0;
  for (const w of weights) {
    data.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), at);
    at += w.values.byteLength;
  }
  return { weightSpecs: specs, weightData: data.buffer };
}
