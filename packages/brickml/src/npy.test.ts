import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readNpy, writeNpy } from './npy.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const bytes = (name: string) => new Uint8Array(readFileSync(join(fixtures, `${name}.npy`)));
/** What NumPy reads back from each fixture: its shape and values, raveled. */
const numpy: Record<string, { shape: number[]; values: number[] }> = JSON.parse(
  readFileSync(join(fixtures, 'npy-values.json'), 'utf8'),
);

describe('readNpy', () => {
  test.each([
    ['f4', 'float32'],
    ['f8', 'float32'],
    ['u1', 'float32'],
    ['i4', 'int32'],
    ['i8', 'int32'],
    ['v2', 'float32'],
    ['scalar', 'float32'],
  ])('reads what NumPy wrote as %s, as %s', (name, dtype) => {
    const a = readNpy(bytes(name), `${name}.npy`);
    const ref = numpy[name]!;
    expect(a.shape).toEqual(ref.shape);
    expect(a.dtype).toBe(dtype);
    expect([...a.data]).toEqual(ref.values.map((v) => (dtype === 'float32' ? Math.fround(v) : v)));
  });

  test.each([
    ['be-f4', "be-f4.npy: dtype '>f4' is not supported, expected one of <f4, <f8, <i4, |u1, <i8"],
    ['i2', "i2.npy: dtype '<i2' is not supported, expected one of <f4, <f8, <i4, |u1, <i8"],
    ['fortran', 'fortran.npy: is in Fortran order; save it in C order (np.ascontiguousarray)'],
    ['big-i8', 'big-i8.npy: value 1099511627776 at index 0 does not fit in int32'],
  ])('refuses %s by name', (name, message) => {
    expect(() => readNpy(bytes(name), `${name}.npy`)).toThrow(message);
  });

  test('refuses a file without the magic', () => {
    expect(() => readNpy(new TextEncoder().encode('a,b\n1,2\n'), 'x.npy')).toThrow(
      'x.npy: is not a .npy file (no \\x93NUMPY magic)',
    );
  });

  test('refuses a file whose data is shorter than its shape', () => {
    const cut = bytes('f4').subarray(0, 140);
    expect(() => readNpy(cut, 'cut.npy')).toThrow('cut.npy: holds 12 bytes of data, shape (2, 3) of <f4 needs 24');
  });
});

describe('writeNpy', () => {
  test.each([
    ['f4', [2, 3]],
    ['write-1d', [3]],
    ['write-3d', [2, 3, 4]],
    ['scalar', []],
  ])('writes the same bytes as NumPy for %s', (name, shape) => {
    expect(writeNpy(numpy[name]!.values, shape)).toEqual(bytes(name));
  });
});
