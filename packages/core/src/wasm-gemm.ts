/**
 * A matrix product C = A·B (+ C) as WebAssembly with 128-bit SIMD, generated at run time for one shape
 * (wasm-module.ts): the register-blocked loop of BLAS-like libraries, an `mr`-row by 8-column tile of C kept
 * in 2·mr vector registers while k runs over the whole inner dimension, each step one splat of A per row and
 * two vectors of B, unrolled so that every address is a pointer plus a constant. A is read in place either
 * way round (`transposeA`: A's rows are columns of the stored matrix, the layout of dW = xᵀ·dz), so neither
 * operand is transposed or packed first. With relaxed SIMD the products are fused multiply-adds (one rounding
 * each), otherwise a multiply and an add.
 */
import { get, I32, i32Const, set, simd, uleb, V128 } from './wasm-module.js';

export interface GemmShape {
  /** C is [m, n], the sum runs over k. */
  m: number;
  n: number;
  k: number;
  /** A is stored as [k, m] (A's transpose) instead of [m, k]. */
  transposeA: boolean;
  /** Floats between A's stored rows: a slice of a longer k keeps the whole row's stride. */
  lda: number;
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
const load = (offset: number) => [...simd(0x00), 0, ...uleb(offset)];
const splat = (offset: number) => [...simd(0x09), 2, ...uleb(offset)];
const store = (offset: number) => [...simd(0x0b), 0, ...uleb(offset)];
const bump = (local: number, bytes: number) => [...get(local), ...i32Const(bytes), add, ...set(local)];

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
export function gemmCode({ m, n, k, transposeA, lda, mr, unroll, fma }: GemmShape): {
  params: number[];
  locals: [number, number][];
  code: number[];
} {
  const pa = (r: number) => PA + (transposeA ? 0 : r);
  const firstV = PA + (transposeA ? 1 : mr);
  const acc = (r: number, v: number) => firstV + 2 * r + v;
  const [B0, B1, S] = [firstV + 2 * mr, firstV + 2 * mr + 1, firstV + 2 * mr + 2];
  // Byte steps: a row of B or C, a step of k along A.
  const [rowC, stepA] = [4 * n, transposeA ? 4 * lda : 4];

  /** One tile of `rows` rows and `vecs` vectors of 4 columns at (I, J). */
  const tile = (rows: number, vecs: number): number[] => {
    const each = (f: (r: number, v: number) => number[]) => {
      const out: number[] = [];
      for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) out.push(...f(r, v));
      return out;
    };
    const rowB = 16 * vecs; // the panel's rows
    const pointers = [
      ...[...get(PANEL), ...set(PB)],
      ...[...get(C), ...get(I), ...i32Const(4 * n), 0x6c, add, ...get(J), ...i32Const(4), 0x6c, add, ...set(PC)],
    ];
    if (transposeA) pointers.push(...get(A), ...get(I), ...i32Const(4), 0x6c, add, ...set(pa(0)));
    else {
      for (let r = 0; r < rows; r++) {
        pointers.push(
          ...get(A),
          ...get(I),
          ...i32Const(4 * lda),
          0x6c,
          add,
          ...i32Const(4 * lda * r),
          add,
          ...set(pa(r)),
        );
      }
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
      ...[...get(ACC), 0x04, 0x40],
      ...each((r, v) => [...get(PC), ...load(r * rowC + 16 * v), ...set(acc(r, v))]),
      0x05,
      ...each((r, v) => [...simd(0x0c), ...new Array<number>(16).fill(0), ...set(acc(r, v))]),
      0x0b,
      ...forUp(KK, i32Const(0), whole, unroll, steps(unroll)),
      ...(k > whole ? forUp(KK, i32Const(whole), k, 1, steps(1)) : []),
      ...each((r, v) => [...get(PC), ...get(acc(r, v)), ...store(r * rowC + 16 * v)]),
    ];
  };

  /** B's columns J… as `vecs` vectors a row, copied to the panel, then tiles over all rows: mr at a time, then one. */
  const column = (vecs: number) => {
    const whole = m - (m % mr);
    const copy: number[] = [...get(B), ...get(J), ...i32Const(4), 0x6c, add, ...set(PC)];
    const row: number[] = [];
    for (let v = 0; v < vecs; v++) row.push(...get(PB), ...get(PC), ...load(16 * v), ...store(16 * v));
    row.push(...bump(PB, 16 * vecs), ...bump(PC, 4 * n));
    copy.push(...get(PANEL), ...set(PB), ...forUp(KK, i32Const(0), k, 1, row));
    return [
      ...copy,
      ...forUp(I, i32Const(0), whole, mr, tile(mr, vecs)),
      ...(m > whole ? forUp(I, i32Const(whole), m, 1, tile(1, vecs)) : []),
    ];
  };
  const wholeN = n - (n % 8);
  const code = [
    ...forUp(J, i32Const(0), wholeN, 8, column(2)),
    ...(n > wholeN ? [...i32Const(wholeN), ...set(J), ...column(1)] : []), // the last 4 columns
  ];
  return {
    params: [I32, I32, I32, I32, I32],
    locals: [
      [PA - I + (transposeA ? 1 : mr), I32],
      [2 * mr + 3, V128],
    ],
    code,
  };
}
