/**
 * A matrix product C = op(A)·op(B) (+ C) as WebAssembly with 128-bit SIMD, generated at run time for one
 * shape (wasm-module.ts): the register-blocked loop of BLAS-like libraries. An `mr`-row by 8-column tile of C
 * stays in 2·mr vector registers while k runs, each step one splat of A per row and two vectors of B,
 * unrolled so that every address is a pointer plus a constant. B's columns are first copied, 8 at a time,
 * into a panel of k rows of 8 floats that stays in the L1 cache (B's rows read in place are 4·n bytes apart,
 * which maps a column of them onto a few cache sets); the copy also reads a transposed B and pads a last
 * partial group of columns with zeros. A is read in place either way round. With relaxed SIMD the products
 * are fused multiply-adds (one rounding each), otherwise a multiply and an add.
 */
import { get, I32, i32Const, set, simd, uleb, V128 } from './wasm-module.js';

export interface GemmShape {
  /** C is [m, n], the sum runs over k. */
  m: number;
  n: number;
  k: number;
  /** A is stored as [k, m] (A's transpose) instead of [m, k]. */
  transposeA: boolean;
  /** B is stored as [n, k] (B's transpose) instead of [k, n]. */
  transposeB: boolean;
  /** Floats between A's and B's stored rows: a slice of a longer k keeps the whole rows' strides. */
  lda: number;
  ldb: number;
  /** Rows of C per tile (at most 6: 2·mr accumulators and 3 more vectors fit x64's 16 registers). */
  mr: number;
  /** Steps of k per loop turn. */
  unroll: number;
  /** f32x4.relaxed_madd instead of f32x4.mul and f32x4.add. */
  fma: boolean;
}

// Parameters of run(a, b, c, accumulate, panel): byte offsets of A, B, C in the memory, whether to add to C
// instead of overwriting it (a product split along k), and room for k·8 floats (B's columns j…j+7).
const [A, B, C, ACC, PANEL] = [0, 1, 2, 3, 4];
// i32 locals: the tile's row and column, k, the pointers into B and C, then one pointer into A per row.
const [I, J, KK, PB, PC, PA] = [5, 6, 7, 8, 9, 10];

const add = 0x6a;
const mul = 0x6c;
const load = (offset: number) => [...simd(0x00), 0, ...uleb(offset)];
const splat = (offset: number) => [...simd(0x09), 2, ...uleb(offset)];
const store = (offset: number) => [...simd(0x0b), 0, ...uleb(offset)];
const loadF32 = (offset: number) => [0x2a, 2, ...uleb(offset)];
const storeF32 = (offset: number) => [0x38, 2, ...uleb(offset)];
const zero = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const bump = (local: number, bytes: number) => [...get(local), ...i32Const(bytes), add, ...set(local)];
/** local = base + index·bytes. */
const offsetOf = (local: number, base: number, index: number, bytes: number) => [
  ...[...get(base), ...get(index), ...i32Const(bytes), mul, add, ...set(local)],
];

/** `counter = start; while (counter < end) { body; counter += step }` (signed compare). */
function forUp(counter: number, start: number[], end: number, step: number, body: number[]): number[] {
  return [
    ...start,
    ...set(counter),
    ...[0x02, 0x40, 0x03, 0x40],
    ...[...get(counter), ...i32Const(end), 0x4e, 0x0d, 1],
    ...body,
    ...[...bump(counter, step), 0x0c, 0, 0x0b, 0x0b],
  ];
}

/** The module's parameters, locals and code for one product. */
export function gemmCode(shape: GemmShape): { params: number[]; locals: [number, number][]; code: number[] } {
  const { m, n, k, transposeA, transposeB, lda, ldb, mr, unroll, fma } = shape;
  const pa = (r: number) => PA + (transposeA ? 0 : r);
  const firstV = PA + (transposeA ? 1 : mr);
  const acc = (r: number, v: number) => firstV + 2 * r + v;
  const [B0, B1, S] = [firstV + 2 * mr, firstV + 2 * mr + 1, firstV + 2 * mr + 2];
  // Byte steps: a row of C, a step of k along A.
  const [rowC, stepA] = [4 * n, transposeA ? 4 * lda : 4];

  /** C's row r of the tile, `width` columns from 16·v bytes on: read into acc(r, v), or written from it. */
  const readC = (r: number, v: number, width: number) => {
    const at = r * rowC + 16 * v;
    if (width >= 4) return [...get(PC), ...load(at), ...set(acc(r, v))];
    const lanes: number[] = [...zero];
    for (let c = 0; c < width; c++) lanes.push(...get(PC), ...loadF32(at + 4 * c), ...simd(0x20), c);
    return [...lanes, ...set(acc(r, v))];
  };
  const writeC = (r: number, v: number, width: number) => {
    const at = r * rowC + 16 * v;
    if (width >= 4) return [...get(PC), ...get(acc(r, v)), ...store(at)];
    const lanes: number[] = [];
    for (let c = 0; c < width; c++)
      lanes.push(...get(PC), ...get(acc(r, v)), ...simd(0x1f), c, ...storeF32(at + 4 * c));
    return lanes;
  };

  /** One tile of `rows` rows by `width` columns (in `vecs` vectors) at (I, J), from the panel. */
  const tile = (rows: number, width: number): number[] => {
    const vecs = width > 4 ? 2 : 1;
    const widthOf = (v: number) => Math.min(4, width - 4 * v);
    const each = (f: (r: number, v: number) => number[]) => {
      const out: number[] = [];
      for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) out.push(...f(r, v));
      return out;
    };
    const rowB = 16 * vecs; // the panel's rows
    const pointers = [...get(PANEL), ...set(PB), ...offsetOf(PC, C, I, 4 * n)];
    pointers.push(...get(PC), ...get(J), ...i32Const(4), mul, add, ...set(PC));
    if (transposeA) pointers.push(...offsetOf(pa(0), A, I, 4));
    else {
      for (let r = 0; r < rows; r++) pointers.push(...offsetOf(pa(r), A, I, 4 * lda), ...bump(pa(r), 4 * lda * r));
    }
    /** `u` steps of k from the pointers, then the pointers moved past them. */
    const steps = (u: number): number[] => {
      const code: number[] = [];
      for (let s = 0; s < u; s++) {
        for (let v = 0; v < vecs; v++) code.push(...get(PB), ...load(s * rowB + 16 * v), ...set(v ? B1 : B0));
        for (let r = 0; r < rows; r++) {
          const offset = transposeA ? 4 * r + s * stepA : s * stepA;
          code.push(...get(pa(r)), ...splat(offset), ...set(S));
          for (let v = 0; v < vecs; v++) {
            const product = fma
              ? [...get(S), ...get(v ? B1 : B0), ...get(acc(r, v)), ...simd(0x105)]
              : [...get(acc(r, v)), ...get(S), ...get(v ? B1 : B0), ...simd(0xe6), ...simd(0xe4)];
            code.push(...product, ...set(acc(r, v)));
          }
        }
      }
      code.push(...bump(PB, u * rowB));
      for (let r = 0; r < (transposeA ? 1 : rows); r++) code.push(...bump(pa(r), u * stepA));
      return code;
    };
    const whole = k - (k % unroll);
    return [
      ...pointers,
      ...[...get(ACC), 0x04, 0x40, ...each((r, v) => readC(r, v, widthOf(v))), 0x05],
      ...each((r, v) => [...zero, ...set(acc(r, v))]),
      0x0b,
      ...forUp(KK, i32Const(0), whole, unroll, steps(unroll)),
      ...(k > whole ? forUp(KK, i32Const(whole), k, 1, steps(1)) : []),
      ...each((r, v) => writeC(r, v, widthOf(v))),
    ];
  };

  /**
   * B's `width` columns from J on, copied into the panel as k rows of 4·vecs floats (zeros past `width`),
   * then tiles over all rows of C: mr at a time, then one at a time. PC walks B during the copy.
   */
  const column = (width: number) => {
    const vecs = width > 4 ? 2 : 1;
    const row: number[] = [];
    if (width < 4 * vecs) row.push(...get(PB), ...zero, ...store(16 * (vecs - 1)));
    if (transposeB) {
      // B stored [n, ldb]: column j + c of op(B) is stored row j + c, read along k.
      for (let c = 0; c < width; c++) row.push(...get(PB), ...get(PC), ...loadF32(4 * ldb * c), ...storeF32(4 * c));
      row.push(...bump(PC, 4));
    } else {
      for (let c = 0; c < width; c += 4) {
        if (width - c >= 4) row.push(...get(PB), ...get(PC), ...load(4 * c), ...store(4 * c));
        else for (let d = c; d < width; d++) row.push(...get(PB), ...get(PC), ...loadF32(4 * d), ...storeF32(4 * d));
      }
      row.push(...bump(PC, 4 * ldb));
    }
    row.push(...bump(PB, 16 * vecs));
    const whole = m - (m % mr);
    return [
      ...offsetOf(PC, B, J, transposeB ? 4 * ldb : 4),
      ...[...get(PANEL), ...set(PB), ...forUp(KK, i32Const(0), k, 1, row)],
      ...forUp(I, i32Const(0), whole, mr, tile(mr, width)),
      ...(m > whole ? forUp(I, i32Const(whole), m, 1, tile(1, width)) : []),
    ];
  };
  const wholeN = n - (n % 8);
  const code = forUp(J, i32Const(0), wholeN, 8, column(8));
  let left = n - wholeN;
  for (const width of [4, left % 4]) {
    if (left >= width && width > 0) {
      code.push(...i32Const(n - left), ...set(J), ...column(width));
      left -= width;
    }
  }
  return {
    params: [I32, I32, I32, I32, I32],
    locals: [
      [PA - I + (transposeA ? 1 : mr), I32],
      [2 * mr + 3, V128],
    ],
    code,
  };
}
