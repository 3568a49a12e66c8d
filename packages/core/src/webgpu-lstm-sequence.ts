/**
 * BrickmlLSTMSequence and BrickmlLSTMSequenceGrad (lstm-sequence.ts) on tfjs' webgpu backend: an LSTM's
 * whole time loop in one dispatch each way. The rows of the batch are independent, so a workgroup takes one
 * row through every step, with h_{t-1} (forward) or dh and dz (backward) in workgroup memory and a barrier
 * between steps: no dispatch per step. A tfjs webgpu program writes one buffer, so the loop writes all it
 * keeps into one [rows, columns] buffer and a copy per output takes each out (7 forward; dZ alone backward,
 * 3 with initial states). Step by step, a step is a concat, a product and the cell's 4 dispatches forward,
 * the cell's gradient's 2 and a product back. sigmoid and tanh as the cell kernels compute them
 * (webgpu-cells.ts); the sums of the products run in another order than tfjs' matMul, so results match the
 * steps to rounding, not bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WEBGPU_ACTIVATIONS } from './webgpu-cells.js';
import type { WebGPUBackendLike } from './webgpu-kernels.js';

/** Invocations of a workgroup (the most compatibility mode guarantees): each takes units j, j + 128, … of its row. */
const LANES = 128;
/** Terms of a dot product per turn of its loop. */
const UNROLL = 8;
/**
 * The most loop turns one invocation may take. Mesa's llvmpipe (the software adapter) ends every loop of a
 * shader once 65,535 turns are spent in all of them together, without an error; longer loops run step by step.
 */
const TURNS = 60_000;
/**
 * Whether the loops take `time` steps of [rows, units]: backward keeps dh and dz (5·U floats) in workgroup
 * memory, whose guaranteed size is 16 KiB; a dispatch's guaranteed size is 65,535 workgroups, one a row;
 * and an invocation's loop turns stay under TURNS (backward, the longer: per step, its units' cell and
 * dot products of 4U terms).
 */
export function webgpuSequenceFits(time: number, rows: number, units: number): boolean {
  const per = Math.ceil(units / LANES);
  const turns = 2 * per + time * (1 + per * (2 + Math.ceil((4 * units) / UNROLL)));
  return units <= 512 && rows <= 65_535 && turns <= TURNS;
}

/** A program of one workgroup per row of the batch, its shape's numbers in its code (and so in its key). */
class LoopProgram {
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0, 1] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [LANES, 1, 1];
  readonly size = false;
  readonly uniforms = '';
  constructor(
    shape: [number, number],
    rows: number,
    readonly variableNames: string[],
    readonly shaderKey: string,
    private readonly code: string,
  ) {
    this.outputShape = shape;
    this.dispatch = [rows, 1, 1];
  }
  getUserCode(): string {
    return this.code;
  }
}

/** out[r, j] = IN[(first + r)·stride + column + j]: one output of a loop's buffer. */
class TakeProgram {
  readonly variableNames = ['IN'];
  readonly shaderKey = 'brickml_take';
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [LANES, 1, 1];
  readonly size = true;
  readonly uniforms = 'first : i32, stride : i32, column : i32, width : i32,';
  constructor(shape: [number, number]) {
    this.outputShape = shape;
    this.dispatchLayout = { x: [0, 1] };
    this.dispatch = [Math.ceil((shape[0] * shape[1]) / LANES), 1, 1];
  }
  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        let r = index / uniforms.width;
        let j = index % uniforms.width;
        setOutputAtIndex(index, IN[(uniforms.first + r) * uniforms.stride + uniforms.column + j]);
      }
    }`;
  }
}

/** tfjs binds its uniforms to every program, and a shader that never reads them loses that binding. */
const READ_UNIFORMS = '_ = uniforms.NAN;';

/** `term(q)` for q in [0, count), UNROLL to a turn of the loop, the rest after it. */
function dot(count: number, term: (q: string) => string): string {
  const whole = count - (count % UNROLL);
  const turn = Array.from({ length: UNROLL }, (_, u) => term(`q + ${u}`)).join(' ');
  const rest = Array.from({ length: count - whole }, (_, u) => term(`${whole + u}`)).join(' ');
  return `for (var q = 0; q < ${whole}; q += ${UNROLL}) { ${turn} }${rest ? `\n          ${rest}` : ''}`;
}

/** For each of this invocation's units j (slot k): `body`. */
const eachUnit = (units: number, body: string) => `
      for (var k = 0; k < ${Math.ceil(units / LANES)}; k++) {
        let j = lane + k * ${LANES};
        if (j < ${units}) {${body}
        }
      }`;

/**
 * The start of a loop's main: this workgroup's row and this invocation's lane, and the row of two [B, U]
 * inputs loaded, one into workgroup memory and one into a private array (a slot per unit of the lane).
 */
function start(U: number, [shared, first]: [string, string], [own, second]: [string, string]): string {
  return `fn main(index : i32) {
      ${READ_UNIFORMS}
      let row = i32(workgroupId.x);
      let lane = i32(localIndex);
      var ${own} : array<f32, ${Math.ceil(U / LANES)}>;${eachUnit(
        U,
        `
          ${shared}[j] = ${first}[row * ${U} + j];
          ${own}[k] = ${second}[row * ${U} + j];`,
      )}
      workgroupBarrier();`;
}

/** The forward loop's code: per row, all it keeps in columns [gates 4U | φ(c) | c_{t-1} | h_{t-1} | h], c_T in the last rows. */
function forwardCode(time: number, rows: number, U: number): string {
  const wide = 8 * U;
  return `${WEBGPU_ACTIVATIONS}
    var<workgroup> hs : array<f32, ${2 * U}>;
    ${start(U, ['hs', 'H0'], ['cs', 'C0'])}
      for (var t = 0; t < ${time}; t++) {
        let src = (t % 2) * ${U};
        let dst = ${U} - src;
        let r = t * ${rows} + row;${eachUnit(
          U,
          `
          let x = r * ${4 * U} + j;
          var zi = XW[x]; var zf = XW[x + ${U}]; var zg = XW[x + ${2 * U}]; var zo = XW[x + ${3 * U}];
          ${dot(
            U,
            (q) => `{ let h = hs[src + ${q}]; let u = (${q}) * ${4 * U} + j;
            zi = zi + h * UM[u]; zf = zf + h * UM[u + ${U}]; zg = zg + h * UM[u + ${2 * U}]; zo = zo + h * UM[u + ${3 * U}]; }`,
          )}
          let i = sigm(zi); let f = sigm(zf); let g = tnh(zg); let o = sigm(zo);
          let cPrev = cs[k];
          let c = f * cPrev + i * g;
          let phi = tnh(c);
          let h = o * phi;
          let p = r * ${wide} + j;
          result[p] = i; result[p + ${U}] = f; result[p + ${2 * U}] = g; result[p + ${3 * U}] = o;
          result[p + ${4 * U}] = phi; result[p + ${5 * U}] = cPrev; result[p + ${6 * U}] = hs[src + j];
          result[p + ${7 * U}] = h;
          cs[k] = c;
          hs[dst + j] = h;`,
        )}
        workgroupBarrier();
      }${eachUnit(
        U,
        `
          result[(${time * rows} + row) * ${wide} + j] = cs[k];`,
      )}
    }`;
}

/** The backward loop's code: dZ in rows [0, T·B), then dh₀ and dc₀ (with `initial`) in the first U columns. */
function backwardCode(time: number, rows: number, U: number, dy: boolean, initial: boolean): string {
  return `
    var<workgroup> dhs : array<f32, ${U}>;
    var<workgroup> dzs : array<f32, ${4 * U}>;
    ${start(U, ['dhs', 'DH'], ['dcs', 'DC'])}
      for (var t = ${time - 1}; t >= 0; t--) {
        let r = t * ${rows} + row;${eachUnit(
          U,
          `
          let n = r * ${U} + j;
          let b = r * ${4 * U} + j;
          let i = G[b]; let f = G[b + ${U}]; let g = G[b + ${2 * U}]; let o = G[b + ${3 * U}];
          let d = ${dy ? 'dhs[j] + DY[n]' : 'dhs[j]'};
          let phi = PHI[n];
          let e = dcs[k] + (d * o) * (1.0 - phi * phi);
          let zi = (e * g) * (i * (1.0 - i));
          let zf = (e * CI[n]) * (f * (1.0 - f));
          let zg = (e * i) * (1.0 - g * g);
          let zo = (d * phi) * (o * (1.0 - o));
          result[b] = zi; result[b + ${U}] = zf; result[b + ${2 * U}] = zg; result[b + ${3 * U}] = zo;
          dzs[j] = zi; dzs[j + ${U}] = zf; dzs[j + ${2 * U}] = zg; dzs[j + ${3 * U}] = zo;
          dcs[k] = e * f;`,
        )}
        workgroupBarrier();
        if (${initial ? 'true' : 't > 0'}) {${eachUnit(
          U,
          `
          var s = 0.0;
          ${dot(4 * U, (q) => `s = s + dzs[${q}] * UM[j * ${4 * U} + ${q}];`)}
          dhs[j] = s;`,
        )}
        }
        workgroupBarrier();
      }${
        initial
          ? eachUnit(
              U,
              `
          result[(${time * rows} + row) * ${4 * U} + j] = dhs[j];
          result[(${(time + 1) * rows} + row) * ${4 * U} + j] = dcs[k];`,
            )
          : ''
      }
    }`;
}

let registered = false;

/** Registers the two loops for tfjs' webgpu backend (once). */
export function registerWebGPUSequence(): void {
  if (registered) return;
  const runOn = (backend: unknown) => backend as WebGPUBackendLike & { disposeData(id: object): void };
  /** [rows, width] of `buffer` ([·, stride]) from row `first`, column `column`. */
  const take = (
    backend: unknown,
    buffer: tf.TensorInfo,
    at: [first: number, column: number],
    shape: [number, number],
  ) =>
    runOn(backend).runWebGPUProgram(new TakeProgram(shape), [buffer], 'float32', [
      { type: 'int32', data: [at[0]] },
      { type: 'int32', data: [buffer.shape[1] as number] },
      { type: 'int32', data: [at[1]] },
      { type: 'int32', data: [shape[1]] },
    ] as never);
  tf.registerKernel({
    kernelName: 'BrickmlLSTMSequence',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { xw, u, h0, c0 } = inputs as Record<'xw' | 'u' | 'h0' | 'c0', tf.TensorInfo>;
      const [rows, U] = h0.shape as [number, number];
      const time = (xw.shape[0] as number) / rows;
      const all = time * rows;
      const program = new LoopProgram(
        [all + rows, 8 * U],
        rows,
        ['XW', 'UM', 'H0', 'C0'],
        `brickml_lstm_sequence_${time}_${rows}_${U}`,
        forwardCode(time, rows, U),
      );
      const kept = runOn(backend).runWebGPUProgram(program, [xw, u, h0, c0], 'float32');
      const outputs = [
        take(backend, kept, [0, 0], [all, 4 * U]),
        ...[4, 5, 6, 7].map((c) => take(backend, kept, [0, c * U], [all, U])),
        take(backend, kept, [all - rows, 7 * U], [rows, U]),
        take(backend, kept, [all, 0], [rows, U]),
      ];
      runOn(backend).disposeData(kept.dataId);
      return outputs;
    },
  });
  tf.registerKernel({
    kernelName: 'BrickmlLSTMSequenceGrad',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const { dy, dh, dc, gates, phiC, cIn, u } = inputs as Record<string, tf.TensorInfo>;
      const initial = attrs?.initial === true;
      const [rows, U] = (dh as tf.TensorInfo).shape as [number, number];
      const all = (cIn as tf.TensorInfo).shape[0] as number;
      const time = all / rows;
      const names = ['DH', 'DC', 'G', 'PHI', 'CI', 'UM', ...(dy ? ['DY'] : [])];
      const xs = [dh, dc, gates, phiC, cIn, u, ...(dy ? [dy] : [])] as tf.TensorInfo[];
      const program = new LoopProgram(
        [all + (initial ? 2 * rows : 0), 4 * U],
        rows,
        names,
        `brickml_lstm_sequence_grad_${time}_${rows}_${U}_${dy ? 'dy' : ''}_${initial}`,
        backwardCode(time, rows, U, dy !== undefined, initial),
      );
      const out = runOn(backend).runWebGPUProgram(program, xs, 'float32');
      if (!initial) return [out];
      const outputs = [
        take(backend, out, [0, 0], [all, 4 * U]),
        take(backend, out, [all, 0], [rows, U]),
        take(backend, out, [all + rows, 0], [rows, U]),
      ];
      runOn(backend).disposeData(out.dataId);
      return outputs;
    },
  });
  registered = true;
}
