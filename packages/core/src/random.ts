import * as tf from '@tensorflow/tfjs-core';
import { BrickError } from './errors.js';
import { runWasmBernoulli, wasmKernels } from './wasm-kernels.js';
import { runWebGPUBernoulli, webgpuKernels } from './webgpu-kernels.js';

/**
 * Where a generator stands, as JSON: its 32-bit counter and the spare normal draw Box-Muller keeps.
 * `setState(getState())` makes a generator draw exactly what it would have drawn next.
 */
export interface RandomState {
  /** mulberry32's counter, an integer in [0, 2³²). */
  s: number;
  /** The second normal of the last Box-Muller pair, not yet handed out. */
  spare: number | null;
}

/**
 * Seeded randomness drawn on the CPU and uploaded (no backend has a RandomUniform kernel), so the same
 * seed gives the same numbers on every backend; dropout masks (bernoulliMask) are drawn from the same
 * stream by kernels of brickml's own where the backend has them.
 */
export class Random {
  private s: number;
  private spare: number | null = null;

  constructor(seed: number = (Math.random() * 2 ** 32) >>> 0) {
    this.s = seed >>> 0;
  }

  /** Where the generator stands (JSON-safe), for saving training progress. */
  getState(): RandomState {
    return { s: this.s, spare: this.spare };
  }

  /** Continues from a state getState returned: the next draws are the ones that state's generator made next. */
  setState(state: RandomState): void {
    const fail = (message: string): never => {
      throw new BrickError(`Random.setState: ${message}`, 'Random.setState');
    };
    if (typeof state !== 'object' || state === null) fail(`state must be { s, spare }, received ${String(state)}`);
    const { s, spare } = state;
    if (!Number.isInteger(s) || s < 0 || s >= 2 ** 32) fail(`s must be an integer in [0, 2^32), received ${s}`);
    if (spare !== null && !Number.isFinite(spare)) fail(`spare must be a finite number or null, received ${spare}`);
    this.s = s;
    this.spare = spare;
  }

  /** A float in [0, 1) (mulberry32). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A standard normal draw (Box-Muller, the spare kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A fresh generator seeded from this one, so sub-streams do not disturb each other. */
  fork(): Random {
    return new Random((this.next() * 4294967296) >>> 0);
  }

  uniformArray(size: number, min = 0, max = 1): Float32Array {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = min + (max - min) * this.next();
    return out;
  }

  /**
   * `value` where a uniform draw u, rounded to float32 as uniformArray stores it, is below p; else 0. The
   * same draws, and so the same stream, as uniformArray(size) followed by the comparison, in one pass:
   * dropout masks draw hundreds of thousands of values per training step, so next() is inlined here in
   * 32-bit integers and u < p is tested on mulberry32's integer output against the first integer whose
   * u is not below p.
   */
  bernoulliArray(size: number, p: number, value = 1): Float32Array {
    const out = new Float32Array(size);
    // Signed 32-bit compare of (output - 2³¹) with (bound - 2³¹) keeps the loop in int32 arithmetic.
    // A lookup rather than a branch: the branch mispredicts on every kept-or-dropped change.
    const below = bernoulliBound(p) - 2147483648;
    const pick = new Float32Array([0, value]);
    let s = this.s | 0;
    for (let i = 0; i < size; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = pick[+((t ^ (t >>> 14) ^ -2147483648) < below)] as number;
    }
    this.s = s >>> 0;
    return out;
  }

  /**
   * bernoulliArray's draws as a float32 tensor of `shape`, the stream advanced the same way. On webgpu and
   * wasm a kernel of brickml's own draws it in place (webgpu-kernels.ts, wasm-kernels.ts).
   */
  bernoulliMask(shape: readonly number[], p: number, value = 1): tf.Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    const bound = bernoulliBound(p);
    const draw =
      size === 0 || bound >= 2 ** 32
        ? null
        : webgpuKernels()
          ? runWebGPUBernoulli
          : wasmKernels()
            ? runWasmBernoulli
            : null;
    if (!draw) return tf.tensor(this.bernoulliArray(size, p, value), [...shape], 'float32');
    const mask = draw(shape, this.s, bound, value);
    this.s = (this.s + Math.imul(size, 0x6d2b79f5)) >>> 0;
    return mask;
  }

  normalArray(size: number, mean = 0, stddev = 1, truncated = false): Float32Array {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      let v = this.normal();
      // Keras' truncated normal redraws values more than two standard deviations out.
      while (truncated && Math.abs(v) > 2) v = this.normal();
      out[i] = mean + stddev * v;
    }
    return out;
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i] as number;
      p[i] = p[j] as number;
      p[j] = t;
    }
    return p;
  }

  uniform(shape: number[], min = 0, max = 1): tf.Tensor {
    return tf.tensor(
      this.uniformArray(
        shape.reduce((a, b) => a * b, 1),
        min,
        max,
      ),
      shape,
      'float32',
    );
  }

  normalTensor(shape: number[], mean = 0, stddev = 1, truncated = false): tf.Tensor {
    return tf.tensor(
      this.normalArray(
        shape.reduce((a, b) => a * b, 1),
        mean,
        stddev,
        truncated,
      ),
      shape,
      'float32',
    );
  }
}

let globalRandom = new Random();

/** Makes initializers, dropout masks, shuffling and augmentation reproducible from here on. */
export function setSeed(seed: number): void {
  globalRandom = new Random(seed);
}

/** The generator behind every random draw in brickml. */
export function rng(): Random {
  return globalRandom;
}

/** The first of mulberry32's 2³² integer outputs whose u (rounded to float32) is not below p; 2³² if none. */
function bernoulliBound(p: number): number {
  let lo = 0;
  let hi = 2 ** 32;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (Math.fround(mid / 4294967296) >= p) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
