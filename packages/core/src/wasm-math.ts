/**
 * exp, sigmoid and tanh of four floats at once, as WebAssembly SIMD code for brickml's own kernels
 * (lstm-cell.ts), where tfjs-wasm's Tanh computes one float at a time (80 µs for [32, 128] against 11 for
 * its Sigmoid). The polynomials are those of Cephes' single-precision expf and tanhf (S. L. Moshier);
 * multiplies and adds are rounded apart (no fused multiply-add), so every engine gives the same bits,
 * within a few units in the last place of the exact values.
 *
 * Each function takes its argument from the stack and leaves its result there, using v128 locals of the
 * caller's (MathLocals) as scratch.
 */
import { get, i32Const, i32x4Const, set, simd } from './wasm-module.js';

/** Scratch v128 locals the functions overwrite. */
export interface MathLocals {
  v: number;
  a: number;
  x: number;
  n: number;
  r: number;
}

/** v128.const of four equal float32 lanes. */
export const f32x4 = (value: number): number[] => [
  ...simd(0x0c),
  ...new Uint8Array(Float32Array.of(value, value, value, value).buffer),
];

/** f32x4 arithmetic. */
export const [ADD, SUB, MUL, DIV] = [simd(0xe4), simd(0xe5), simd(0xe6), simd(0xe7)];
const [MIN, MAX, ABS, NEG, NEAREST, LE] = [simd(0xe8), simd(0xe9), simd(0xe0), simd(0xe1), simd(0x6a), simd(0x45)];
const [AND, OR, BITSELECT] = [simd(0x4e), simd(0x50), simd(0x52)];
// i32x4.trunc_sat_f32x4_s, i32x4.add, i32x4.shl
const [TRUNC_SAT, I32_ADD, I32_SHL] = [simd(0xf8), simd(0xae), simd(0xab)];

// exp's range: 2^n is built in the exponent bits, so n = round(x·log2 e) stays in [-126, 127].
const EXP_HI = 88.3762626647949;
const EXP_LO = -87.3365447504019;
const LOG2E = Math.LOG2E;
// ln 2 in two parts: n·C1 is exact for the n in range.
const [C1, C2] = [0.693359375, -2.1219444e-4];
const EXP_P = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
// tanh(x) = x + x·z·P(z), z = x², for |x| ≤ 0.625; 1 - 2/(e^{2|x|} + 1), signed, beyond.
const TANH_P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
const TANH_SMALL = 0.625;

/** Horner's rule over local `of`: ((c₀·t + c₁)·t + …)·t + cₙ. */
function horner(coefficients: readonly number[], of: number): number[] {
  const [first, ...rest] = coefficients as [number, ...number[]];
  return [...f32x4(first), ...rest.flatMap((c) => [...get(of), ...MUL, ...f32x4(c), ...ADD])];
}

/**
 * e^x: x clamped to [EXP_LO, EXP_HI] (NaN stays NaN), n = round(x·log2 e), r = x - n·ln 2, e^r by its
 * polynomial, times 2^n put into the exponent bits.
 */
export function expV(l: MathLocals): number[] {
  return [
    ...[...f32x4(EXP_HI), ...MIN, ...f32x4(EXP_LO), ...MAX, ...set(l.x)],
    ...[...get(l.x), ...f32x4(LOG2E), ...MUL, ...NEAREST, ...set(l.n)],
    ...[...get(l.x), ...get(l.n), ...f32x4(C1), ...MUL, ...SUB, ...get(l.n), ...f32x4(C2), ...MUL, ...SUB, ...set(l.r)],
    // (P(r)·r² + r) + 1
    ...[...horner(EXP_P, l.r), ...get(l.r), ...get(l.r), ...MUL, ...MUL, ...get(l.r), ...ADD, ...f32x4(1), ...ADD],
    ...[...get(l.n), ...TRUNC_SAT, ...i32x4Const([127, 127, 127, 127]), ...I32_ADD, ...i32Const(23), ...I32_SHL],
    ...MUL,
  ];
}

/** 1 / (1 + e^-x). */
export function sigmoidV(l: MathLocals): number[] {
  return [...NEG, ...set(l.v), ...f32x4(1), ...f32x4(1), ...get(l.v), ...expV(l), ...ADD, ...DIV];
}

/** tanh(x): the odd polynomial for |x| ≤ 0.625, else 1 - 2/(e^{2|x|} + 1) with x's sign. */
export function tanhV(l: MathLocals): number[] {
  return [
    ...set(l.v),
    // small: (P(z)·z)·x + x, z = x² (in a)
    ...[...get(l.v), ...get(l.v), ...MUL, ...set(l.a)],
    ...[...horner(TANH_P, l.a), ...get(l.a), ...MUL, ...get(l.v), ...MUL, ...get(l.v), ...ADD],
    // large: 1 - 2/(e^{2|x|} + 1), then x's sign bit
    ...[...get(l.v), ...ABS, ...set(l.a)],
    ...[...f32x4(1), ...f32x4(2), ...get(l.a), ...get(l.a), ...ADD, ...expV(l), ...f32x4(1), ...ADD, ...DIV, ...SUB],
    ...[...get(l.v), ...i32x4Const([1 << 31, 1 << 31, 1 << 31, 1 << 31]), ...AND, ...OR],
    // small where |x| ≤ 0.625 (false for NaN, whose large form is NaN)
    ...[...get(l.a), ...f32x4(TANH_SMALL), ...LE, ...BITSELECT],
  ];
}
