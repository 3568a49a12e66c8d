/**
 * The recurrent cell kernels (lstm-cell.ts, gru-cell.ts) on tfjs' webgpu backend: each output is one
 * dispatch that reads the step's inputs by index and recomputes the gates it needs, where tfjs ops take a
 * dispatch per split part, activation, product and sum (an LSTM step's forward 4 dispatches instead of
 * 13, its backward 2 instead of 7; a GRU step's forward 4 instead of 11). sigmoid is 1/(1 + e^-x) and
 * tanh is computed from e^{-2|x|} as tfjs-webgpu's Tanh does (WGSL's tanh is NaN for large |x| on some
 * drivers).
 */
import * as tf from '@tensorflow/tfjs-core';
import { FlatProgram, type WebGPUBackendLike } from './webgpu-kernels.js';

/** sigmoid and tanh in WGSL, as the cell kernels compute them. */
export const WEBGPU_ACTIVATIONS = `
    fn sigm(x : f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
    fn tnh(x : f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }`;

/** One output of a cell: `body` sets `y` from the flat output index `index` and the inputs by name. */
class CellProgram extends FlatProgram {
  readonly uniforms = '';
  readonly shaderKey: string;
  constructor(
    shape: readonly number[],
    readonly variableNames: string[],
    private readonly body: string,
    key: string,
  ) {
    super(shape);
    this.shaderKey = `brickml_cell_${key}`;
  }
  getUserCode(): string {
    return `${WEBGPU_ACTIVATIONS}
    fn main(index : i32) {
      if (index < uniforms.size) {
        ${this.body}
        setOutputAtIndex(index, y);
      }
    }`;
  }
}

/** The code that finds, for output index `index` of a [rows, w·U] matrix, its row and its unit j. */
const place = (w: number, units: number) =>
  `let row = index / ${w * units}; let col = index % ${w * units}; let j = col % ${units};`;

let registered = false;

/** Registers the cell kernels for tfjs' webgpu backend (once). */
export function registerWebGPUCells(): void {
  if (registered) return;
  const run = (backend: unknown, program: CellProgram, inputs: tf.TensorInfo[]) =>
    (backend as WebGPUBackendLike).runWebGPUProgram(program, inputs, 'float32');
  tf.registerKernel({
    kernelName: 'BrickmlLSTMCell',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { z, cPrev } = inputs as { z: tf.TensorInfo; cPrev: tf.TensorInfo };
      const [rows, U] = cPrev.shape as [number, number];
      const gate = (g: number) => `Z[row * ${4 * U} + ${g * U} + j]`;
      const gates = run(
        backend,
        new CellProgram(
          [rows, 4 * U],
          ['Z'],
          `${place(4, U)} let x = Z[index]; let y = select(sigm(x), tnh(x), col / ${U} == 2);`,
          `lstm_gates_${U}`,
        ),
        [z],
      );
      const c = run(
        backend,
        new CellProgram(
          [rows, U],
          ['Z', 'CP'],
          `${place(1, U)} let y = sigm(${gate(1)}) * CP[index] + sigm(${gate(0)}) * tnh(${gate(2)});`,
          `lstm_c_${U}`,
        ),
        [z, cPrev],
      );
      const phiC = run(backend, new CellProgram([rows, U], ['C'], 'let y = tnh(C[index]);', 'lstm_phi'), [c]);
      const h = run(
        backend,
        new CellProgram(
          [rows, U],
          ['Z', 'PHI'],
          `${place(1, U)} let y = sigm(${gate(3)}) * PHI[index];`,
          `lstm_h_${U}`,
        ),
        [z, phiC],
      );
      return [gates, c, phiC, h];
    },
  });
  tf.registerKernel({
    kernelName: 'BrickmlLSTMCellGrad',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { dh, dc, gates, phiC, cPrev } = inputs as Record<string, tf.TensorInfo>;
      const [rows, U] = (cPrev as tf.TensorInfo).shape as [number, number];
      const names = ['DH', 'DC', 'G', 'PHI', 'CP'];
      const xs = [dh, dc, gates, phiC, cPrev] as tf.TensorInfo[];
      // k: the unit's place in the [rows, U] inputs; the gates of unit j at row·4U + g·U + j.
      const local = (w: number) => `${place(w, U)}
        let k = row * ${U} + j; let base = row * ${4 * U} + j;
        let i = G[base]; let f = G[base + ${U}]; let g = G[base + ${2 * U}]; let o = G[base + ${3 * U}];
        let d = DH[k]; let phi = PHI[k]; let e = DC[k] + (d * o) * (1.0 - phi * phi);`;
      const dz = run(
        backend,
        new CellProgram(
          [rows, 4 * U],
          names,
          `${local(4)}
        var y = (d * phi) * (o * (1.0 - o));
        switch (col / ${U}) {
          case 0: { y = (e * g) * (i * (1.0 - i)); }
          case 1: { y = (e * CP[k]) * (f * (1.0 - f)); }
          case 2: { y = (e * i) * (1.0 - g * g); }
          default: {}
        }`,
          `lstm_dz_${U}`,
        ),
        xs,
      );
      // A binding the shader leaves unread is dropped from its layout: dc_{t-1} is given no c_{t-1}.
      const dcPrev = run(
        backend,
        new CellProgram([rows, U], names.slice(0, 4), `${local(1)} let y = e * f;`, `lstm_dc_${U}`),
        xs.slice(0, 4),
      );
      return [dz, dcPrev];
    },
  });
  tf.registerKernel({
    kernelName: 'BrickmlGRUCell',
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { xzr, xh, m, hPrev } = inputs as Record<string, tf.TensorInfo>;
      const [rows, U] = (hPrev as tf.TensorInfo).shape as [number, number];
      const gates = run(
        backend,
        new CellProgram(
          [rows, 2 * U],
          ['XZR', 'M'],
          `${place(2, U)} let y = sigm(XZR[index] + M[row * ${3 * U} + col]);`,
          `gru_gates_${U}`,
        ),
        [xzr, m] as tf.TensorInfo[],
      );
      const mh = run(
        backend,
        new CellProgram([rows, U], ['M'], `${place(1, U)} let y = M[row * ${3 * U} + ${2 * U} + j];`, `gru_mh_${U}`),
        [m as tf.TensorInfo],
      );
      const hh = run(
        backend,
        new CellProgram(
          [rows, U],
          ['XH', 'GATES', 'MH'],
          `${place(1, U)} let y = tnh(XH[index] + GATES[row * ${2 * U} + ${U} + j] * MH[index]);`,
          `gru_hh_${U}`,
        ),
        [xh as tf.TensorInfo, gates, mh],
      );
      const h = run(
        backend,
        new CellProgram(
          [rows, U],
          ['HH', 'GATES', 'HP'],
          `${place(1, U)} let c = HH[index]; let y = c + GATES[row * ${2 * U} + j] * (HP[index] - c);`,
          `gru_h_${U}`,
        ),
        [hh, gates, hPrev as tf.TensorInfo],
      );
      return [gates, hh, h, mh];
    },
  });
  registered = true;
}
