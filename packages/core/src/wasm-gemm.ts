/**
 * A matrix product C = op(A)·op(B) (+ C) as WebAssembly with 128-bit SIMD, generated at run time for one
 * shape (wasm-module.ts): the register-blocked loop of BLAS-like libraries. An `mr`-row by 8-column tile of C
 * stays in 2·mr vector registers while k runs, each step one splat of A per row and two vectors of B, each
 * address a pointer plus a constant (unrolled steps, if any, add constants). B's columns are first copied, 8 at a time,
 * into a panel of k rows of 8 floats that stays in the L1 cache (B's rows read in place are 4·n bytes apart,
 * which maps a column of them onto a few cache sets); the copy also reads a transposed B and pads a last
 * partial group of columns with zeros. A is read in place, or stored as Aᵀ copied first into panels of mr
 * rows (packsA), or read as the patches of a convolution (or their transpose) that are never built. With
 * relaxed SIMD the products are fused multiply-adds (one rounding each), otherwise a multiply and an add.
 */
import {
  forUp,
  get,
  I32,
  i32Const,
  v128Load as load,
  set,
  simd,
  v128Store as store,
  uleb,
  V128,
} from './wasm-module.js';

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
  /** Floats between C's rows (default n): a slice of C's columns keeps the whole rows' stride. */
  ldc?: number;
  /**
   * A as the patches of a convolution, never built: row i is output pixel i of an NHWC image padded to
   * [·, hp, wp, c] (valid, dilation 1), whose window starts at the byte offset `windows[i]` (run's last
   * parameter), and k runs over the window's rows, each kw·c contiguous floats.
   */
  conv?: ConvWindow;
  /**
   * A as the transposed patches of one image (a convolution's dW = P(x)ᵀ·dz): row i is the window's
   * (row, column, channel) i, k runs over the image's oh·ow output pixels, read from the padded image.
   */
  patchesT?: ConvWindow;
  /** An epilogue on C once its sums are whole: + bias[column] (run's `bias`), then relu (max with 0, NaN kept). */
  bias?: boolean;
  relu?: boolean;
  /**
   * B's panels: 'pack' only copies B into them (run's panel; A and C are not read), 'packed' finds them
   * there already and skips the copy, so that many products with one B (an LSTM's steps with U) copy it once.
   */
  panelB?: 'pack' | 'packed';
  /**
   * Rows of C per tile: 2·mr accumulators, two vectors of B and mr splats of A share x64's 16 vector
   * registers (wasm-matmul.ts chooses 4).
   */
  mr: number;
  /** Steps of k per loop turn. */
  unroll: number;
  /** f32x4.relaxed_madd instead of f32x4.mul and f32x4.add. */
  fma: boolean;
}

export interface ConvWindow {
  hp: number;
  wp: number;
  c: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  sh: number;
  sw: number;
}

// Parameters of run(a, b, c, accumulate, panel, windows, bias): byte offsets of A, B, C in the memory, whether
// to add to C instead of overwriting it (a product split along k), room for B's panels (k·4·⌈n/4⌉ floats), and
// for a convolution the byte offset in A of each output pixel's window (m int32s), or where Aᵀ is packed
// (packsA) room for A's panels (aPanelFloats); with the epilogue's bias, the bias of C's first column.
const [A, B, C, ACC, PANEL, WINDOWS, BIAS] = [0, 1, 2, 3, 4, 5, 6];
/** The parameters' count: every product's run takes all of them. */
export const RUN_PARAMS = 7;

/**
 * Whether A, stored as Aᵀ, is first copied into panels: each tile's mr rows, k steps of mr floats, read in
 * order by the tile. Read in place, each step of k takes a cache line (lda floats on) for mr floats of it;
 * the copy measured 10-20% faster for Dense's dW = xᵀ·dz (784×128·128×512, 9216×128·128×128). A stored in
 * place measured 4-10% slower with the copy, and a single column group (n ≤ 8) reads A only once anyway.
 */
export function packsA(shape: Pick<GemmShape, 'n' | 'transposeA' | 'conv' | 'patchesT'>): boolean {
  return shape.transposeA && !shape.conv && !shape.patchesT && shape.n > 8;
}

/** The floats of A's panels (packsA): each whole tile's mr rows by k. */
export function aPanelFloats(shape: Pick<GemmShape, 'm' | 'k'>, mr: number): number {
  return (shape.m - (shape.m % mr)) * shape.k;
}

// i32 locals: the tile's row and column, k, the pointers into B and C, then one pointer into A per row.
const [I, J, KK, PB, PC, PA] = [7, 8, 9, 10, 11, 12];

const add = 0x6a;
const mul = 0x6c;
const splat = (offset: number) => [...simd(0x09), 2, ...uleb(offset)];
const loadF32 = (offset: number) => [0x2a, 2, ...uleb(offset)];
const storeF32 = (offset: number) => [0x38, 2, ...uleb(offset)];
const zero = [...simd(0x0c), ...new Array<number>(16).fill(0)];
const bump = (local: number, bytes: number) => [...get(local), ...i32Const(bytes), add, ...set(local)];
/** local = base + index·bytes. */
const offsetOf = (local: number, base: number, index: number, bytes: number) => [
  ...[...get(base), ...get(index), ...i32Const(bytes), mul, add, ...set(local)],
];

/** The module's parameters, locals and code for one product. */
export function gemmCode(shape: GemmShape): { params: number[]; locals: [number, number][]; code: number[] } {
  const { m, n, k, transposeA, transposeB, lda, ldb, conv, patchesT, mr, unroll, fma } = shape;
  const ldc = shape.ldc ?? n;
  const packA = packsA(shape);
  // A convolution's rows (pixels) are each read through a pointer of their own; a plain A's through one,
  // each row a constant offset from it, which leaves the registers to the tile.
  const oneA = !conv && !patchesT;
  const pa = (r: number) => PA + (oneA ? 0 : r);
  const pas = oneA ? 1 : mr;
  // More i32 locals: a convolution's pixel index and window row, the block of rows and its end.
  const [T, ROW, IB, IEND] = [PA + pas, PA + pas + 1, PA + pas + 2, PA + pas + 3];
  const firstV = PA + pas + 4;
  const acc = (r: number, v: number) => firstV + 2 * r + v;
  const [B0, B1, S] = [firstV + 2 * mr, firstV + 2 * mr + 1, firstV + 2 * mr + 2];
  // Byte steps: a row of C, a step of k along A.
  const [rowC, stepA] = [4 * ldc, transposeA ? 4 * lda : patchesT ? 4 * patchesT.sw * patchesT.c : 4];
  // A convolution's k runs window row by window row (kw·c floats, then a jump to the next image row);
  // transposed patches' k runs output row by output row (ow pixels sw·c floats apart, then a jump).
  const segment = conv
    ? { count: conv.kh, run: conv.kw * conv.c, jump: 4 * (conv.wp - conv.kw) * conv.c }
    : patchesT
      ? {
          count: patchesT.oh,
          run: patchesT.ow,
          jump: 4 * (patchesT.sh * patchesT.wp - patchesT.ow * patchesT.sw) * patchesT.c,
        }
      : { count: 1, run: k, jump: 0 };

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
    // A whole tile reads A's panel (packA), mr floats a step; a last partial one reads Aᵀ in place.
    const packed = packA && rows === mr;
    const vecs = width > 4 ? 2 : 1;
    const widthOf = (v: number) => Math.min(4, width - 4 * v);
    const each = (f: (r: number, v: number) => number[]) => {
      const out: number[] = [];
      for (let r = 0; r < rows; r++) for (let v = 0; v < vecs; v++) out.push(...f(r, v));
      return out;
    };
    const rowB = 16 * vecs; // the panel's rows
    const pointers = [...offsetOf(PB, PANEL, J, 4 * k), ...offsetOf(PC, C, I, 4 * ldc)];
    pointers.push(...get(PC), ...get(J), ...i32Const(4), mul, add, ...set(PC));
    if (packed) pointers.push(...offsetOf(pa(0), WINDOWS, I, 4 * k));
    else if (transposeA) pointers.push(...offsetOf(pa(0), A, I, 4));
    else if (conv) {
      // Each row's window from the table: a division per pixel and panel would cost a third of the tile.
      for (let r = 0; r < rows; r++) {
        pointers.push(...get(I), ...i32Const(r), add, ...i32Const(4), mul, ...get(WINDOWS), add);
        pointers.push(0x28, 2, 0, ...get(A), add, ...set(pa(r)));
      }
    } else if (patchesT) {
      // Window index t = I + r is (t / (kw·c), t % (kw·c)) in (window row, run along it): offset
      // (t / (kw·c))·wp·c + t % (kw·c).
      const { wp, c, kw } = patchesT;
      for (let r = 0; r < rows; r++) {
        pointers.push(...get(I), ...i32Const(r), add, ...set(T));
        pointers.push(...get(T), ...i32Const(kw * c), 0x6e, ...i32Const(wp * c), mul);
        pointers.push(...get(T), ...i32Const(kw * c), 0x70, add, ...i32Const(4), mul, ...get(A), add, ...set(pa(r)));
      }
    } else {
      pointers.push(...offsetOf(pa(0), A, I, 4 * lda));
    }
    /** `u` steps of k from the pointers, then the pointers moved past them. */
    const steps = (u: number): number[] => {
      const code: number[] = [];
      for (let s = 0; s < u; s++) {
        for (let v = 0; v < vecs; v++) code.push(...get(PB), ...load(s * rowB + 16 * v), ...set(v ? B1 : B0));
        for (let r = 0; r < rows; r++) {
          const row = packed || transposeA ? 4 * r : oneA ? 4 * lda * r : 0;
          code.push(...get(pa(r)), ...splat(row + s * (packed ? 4 * mr : stepA)), ...set(S));
          for (let v = 0; v < vecs; v++) {
            const product = fma
              ? [...get(S), ...get(v ? B1 : B0), ...get(acc(r, v)), ...simd(0x105)]
              : [...get(acc(r, v)), ...get(S), ...get(v ? B1 : B0), ...simd(0xe6), ...simd(0xe4)];
            code.push(...product, ...set(acc(r, v)));
          }
        }
      }
      code.push(...bump(PB, u * rowB));
      for (let r = 0; r < (oneA ? 1 : rows); r++) code.push(...bump(pa(r), u * (packed ? 4 * mr : stepA)));
      return code;
    };
    const { count, run, jump } = segment;
    const whole = run - (run % unroll);
    let kLoop = [
      ...forUp(KK, i32Const(0), whole, unroll, steps(unroll)),
      ...(run > whole ? forUp(KK, i32Const(whole), run, 1, steps(1)) : []),
    ];
    if (count > 1) {
      const jumps: number[] = [];
      for (let r = 0; r < rows; r++) jumps.push(...bump(pa(r), jump));
      kLoop = forUp(ROW, i32Const(0), count, 1, [...kLoop, ...jumps]);
    }
    // The epilogue: the tile's bias vectors into B0 and B1 (lane by lane past C's last column), zero into S.
    const epilogue: number[] = [];
    if (shape.bias) {
      epilogue.push(...offsetOf(PB, BIAS, J, 4));
      for (let v = 0; v < vecs; v++) {
        if (widthOf(v) >= 4) epilogue.push(...get(PB), ...load(16 * v));
        else {
          epilogue.push(...zero);
          for (let c = 0; c < widthOf(v); c++) epilogue.push(...get(PB), ...loadF32(16 * v + 4 * c), ...simd(0x20), c);
        }
        epilogue.push(...set(v ? B1 : B0));
      }
      epilogue.push(...each((r, v) => [...get(acc(r, v)), ...get(v ? B1 : B0), ...simd(0xe4), ...set(acc(r, v))]));
    }
    if (shape.relu) {
      epilogue.push(...zero, ...set(S));
      epilogue.push(...each((r, v) => [...get(acc(r, v)), ...get(S), ...simd(0xe9), ...set(acc(r, v))]));
    }
    return [
      ...pointers,
      ...[...get(ACC), 0x04, 0x40, ...each((r, v) => readC(r, v, widthOf(v))), 0x05],
      ...each((r, v) => [...zero, ...set(acc(r, v))]),
      0x0b,
      ...kLoop,
      ...epilogue,
      ...each((r, v) => writeC(r, v, widthOf(v))),
    ];
  };

  /** B's `width` columns from J on, copied into their panel as k rows of 4·vecs floats (zeros past `width`). */
  const pack = (width: number) => {
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
    return [
      ...offsetOf(PC, B, J, transposeB ? 4 * ldb : 4),
      ...[...offsetOf(PB, PANEL, J, 4 * k), ...forUp(KK, i32Const(0), k, 1, row)],
    ];
  };

  /** A's whole tiles copied into their panels, tile after tile: Aᵀ gives a step's mr floats side by side. */
  const packRows = () => {
    const step: number[] = [];
    for (let r = 0; r < mr; r++) step.push(...get(PB), ...get(PC), ...loadF32(4 * r), ...storeF32(4 * r));
    step.push(...bump(PC, 4 * lda), ...bump(PB, 4 * mr));
    const body = [...offsetOf(PC, A, I, 4), ...offsetOf(PB, WINDOWS, I, 4 * k), ...forUp(KK, i32Const(0), k, 1, step)];
    return forUp(I, i32Const(0), m - (m % mr), mr, body);
  };

  /** The column groups: whole panels of 8 (a loop over J), then a last 4 and a last 1-3, as [J, width]. */
  const wholeN = n - (n % 8);
  const groups = (body: (width: number) => number[]) => {
    const code = forUp(J, i32Const(0), wholeN, 8, body(8));
    let left = n - wholeN;
    for (const width of [4, left % 4]) {
      if (left >= width && width > 0) {
        code.push(...i32Const(n - left), ...set(J), ...body(width));
        left -= width;
      }
    }
    return code;
  };

  // Where C is small, each group's panel is packed and at once swept over all of C's rows (A stays in L2).
  // Where C is large (a convolution's [pixels, filters]), sweeping it once per panel would write every
  // cache line of C n/8 times: all of B is packed first, then C goes in blocks of rows whose part of A
  // stays in L2, each block through every panel.
  const wholeM = m - (m % mr);
  const sweep = (end: number[], start: number[], rows: number, width: number) => [
    ...start,
    ...set(I),
    ...[0x02, 0x40, 0x03, 0x40, ...get(I), ...end, 0x4e, 0x0d, 1],
    ...tile(rows, width),
    ...[...bump(I, rows), 0x0c, 0, 0x0b, 0x0b],
  ];
  const params = new Array<number>(RUN_PARAMS).fill(I32);
  const locals: [number, number][] = [
    [PA - I + pas + 4, I32],
    [2 * mr + 3, V128],
  ];
  if (shape.panelB === 'pack') return { params, locals, code: groups(pack) };
  const packB = shape.panelB === 'packed' ? () => [] : pack;
  const code: number[] = packA ? packRows() : [];
  if (m * n <= 1 << 20) {
    code.push(
      ...groups((width) => [
        ...packB(width),
        ...sweep(i32Const(wholeM), i32Const(0), mr, width),
        ...(m > wholeM ? sweep(i32Const(m), i32Const(wholeM), 1, width) : []),
      ]),
    );
  } else {
    const block = Math.max(mr, Math.floor(65536 / (k * mr)) * mr);
    code.push(
      ...groups(packB),
      ...forUp(IB, i32Const(0), wholeM, block, [
        ...[...get(IB), ...i32Const(block), add, ...i32Const(wholeM), ...get(IB), ...i32Const(block), add],
        ...[...i32Const(wholeM), 0x48, 0x1b, ...set(IEND)], // min(IB + block, wholeM)
        ...groups((width) => sweep(get(IEND), get(IB), mr, width)),
      ]),
    );
    if (m > wholeM) code.push(...groups((width) => sweep(i32Const(m), i32Const(wholeM), 1, width)));
  }
  return { params, locals, code };
}
