/**
 * NumPy's .npy files: the magic "\x93NUMPY", a version (1.0: a 2-byte header length; 2.0 and 3.0: 4 bytes),
 * then a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }` padded to a
 * multiple of 64 bytes, then the values in C order. Read here: <f4 <f8 <i4 |u1 <i8; written: <f4.
 */
import { BrickError } from '@brickml/core';

/** The element types readNpy takes, as NumPy writes them in `descr`. */
export const NPY_DTYPES = ['<f4', '<f8', '<i4', '|u1', '<i8'] as const;
type NpyDtype = (typeof NPY_DTYPES)[number];

const BYTES: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '|u1': 1, '<i8': 8 };
const MAGIC = [0x93, ...new TextEncoder().encode('NUMPY')];

/** A .npy array: integers (<i4, <i8) stay int32, everything else becomes float32. */
export interface NpyArray {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

/**
 * Reads the bytes of a .npy file; `who` names the file in errors.
 *
 * @example
 * const { shape, data } = readNpy(readFileSync('x.npy'), 'x.npy');
 */
export function readNpy(bytes: Uint8Array, who: string): NpyArray {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('is not a .npy file (no \\x93NUMPY magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] as number;
  if (major < 1 || major > 3) fail(`has .npy version ${major}.${bytes[7]}, expected 1.0, 2.0 or 3.0`);
  const wide = major > 1;
  const length = wide ? view.getUint32(8, true) : view.getUint16(8, true);
  const start = (wide ? 12 : 10) + length;
  if (start > bytes.length) fail(`header says ${length} bytes, but the file ends first`);
  const header = new TextDecoder().decode(bytes.subarray(wide ? 12 : 10, start));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? fail(`header has no 'descr': ${header.trim()}`);
  if (!(NPY_DTYPES as readonly string[]).includes(descr)) {
    fail(`dtype '${descr}' is not supported, expected one of ${NPY_DTYPES.join(', ')}`);
  }
  const dtype = descr as NpyDtype;
  const order = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? fail(`header has no 'fortran_order'`);
  if (order === 'True') fail('is in Fortran order; save it in C order (np.ascontiguousarray)');
  const dims = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail(`header has no 'shape'`);
  const shape = dims
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => (/^\d+$/.test(d) ? Number(d) : fail(`shape (${dims}) must hold non-negative integers`)));
  const size = shape.reduce((n, d) => n * d, 1);
  const need = size * BYTES[dtype];
  if (bytes.length - start !== need) {
    fail(`holds ${bytes.length - start} bytes of data, shape (${shape.join(', ')}) of ${dtype} needs ${need}`);
  }
  if (dtype === '<i4' || dtype === '<i8') {
    const data = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      if (dtype === '<i4') data[i] = view.getInt32(start + 4 * i, true);
      else {
        const v = view.getBigInt64(start + 8 * i, true);
        if (v > 2147483647n || v < -2147483648n) fail(`value ${v} at index ${i} does not fit in int32`);
        data[i] = Number(v);
      }
    }
    return { shape, dtype: 'int32', data };
  }
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    if (dtype === '<f4') data[i] = view.getFloat32(start + 4 * i, true);
    else if (dtype === '<f8') data[i] = view.getFloat64(start + 8 * i, true);
    else data[i] = bytes[start + i] as number;
  }
  return { shape, dtype: 'float32', data };
}

/**
 * The bytes of a version 1.0 .npy file holding `data` (float32, C order) with `shape`.
 *
 * @example
 * writeFileSync('y.npy', writeNpy(await prediction.data(), prediction.shape));
 */
export function writeNpy(data: ArrayLike<number>, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // As NumPy writes it: spare spaces so the first axis can grow in place, then spaces and a newline up to
  // a multiple of 64 bytes counting the magic (6), the version (2) and the length (2).
  const spare = shape.length > 0 ? ' '.repeat(Math.max(21 - String(shape[0]).length, 0)) : '';
  const text = `${dict}${spare}`;
  const header = `${text}${' '.repeat(64 - ((10 + text.length + 1) % 64))}\n`;
  const out = new Uint8Array(10 + header.length + 4 * data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  for (let i = 0; i < data.length; i++) view.setFloat32(10 + header.length + 4 * i, data[i] as number, true);
  return out;
}
