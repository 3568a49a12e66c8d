import { setSeed, useBackend } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Layer } from '../layer.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import type { Recurrent } from './recurrent.js';
import { SimpleRNN } from './simple-rnn.js';

const TOLERANCE = 1e-5;
const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;
type Flags = { returnSequences: boolean; goBackwards: boolean };
type AnyRecurrent = Recurrent<never, unknown, unknown, unknown> & Layer;

async function worstDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [Array.from(await a.data()), Array.from(await b.data())];
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] as number))), 0);
}

/** Our brick and tfjs-layers' with our weights, on the same input (and mask). */
async function expectSameAsTfjs(ours: AnyRecurrent, theirs: tfl.layers.Layer, x: tf.Tensor, mask?: tf.Tensor) {
  ours.build([null, x.shape[2] as number]);
  // tfjs' RNN layers build on their first apply (an explicit build is done again there).
  tf.dispose(theirs.apply(x) as tf.Tensor);
  const { kernel, recurrentKernel, bias: b } = ours.params;
  theirs.setWeights(b ? [kernel, recurrentKernel, b] : [kernel, recurrentKernel]);
  const { y } = ours.forward(x, { training: false, ...(mask && { mask }) });
  const want = theirs.apply(x, mask ? { mask } : {}) as tf.Tensor;
  expect(await worstDiff(y, want), `${ours.className} against tfjs-layers`).toBeLessThan(TOLERANCE);
  tf.dispose([y, want]);
  ours.dispose();
  theirs.dispose();
}

// tfjs-layers defaults recurrentActivation to hardSigmoid (Keras 2); Keras 3's is sigmoid. Its own
// orthogonal initializer is slow, and the weights are ours anyway.
const theirConfig = (flags: Flags) => ({
  units: 3,
  ...flags,
  kernelInitializer: 'zeros' as const,
  recurrentInitializer: 'zeros' as const,
});
const families: [string, (f: Flags) => AnyRecurrent, (f: Flags) => tfl.layers.Layer][] = [
  [
    'SimpleRNN',
    (f) => new SimpleRNN({ units: 3, biasInitializer: bias, ...f }) as unknown as AnyRecurrent,
    (f) => tfl.layers.simpleRNN(theirConfig(f)),
  ],
  [
    'LSTM',
    (f) => new LSTM({ units: 3, biasInitializer: bias, ...f }) as unknown as AnyRecurrent,
    (f) => tfl.layers.lstm({ ...theirConfig(f), recurrentActivation: 'sigmoid' }),
  ],
  [
    'GRU without resetAfter',
    (f) => new GRU({ units: 3, biasInitializer: bias, resetAfter: false, ...f }) as unknown as AnyRecurrent,
    (f) => tfl.layers.gru({ ...theirConfig(f), recurrentActivation: 'sigmoid' }),
  ],
];

describe('parity with tfjs-layers on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  for (const [name, ours, theirs] of families) {
    for (const returnSequences of [false, true]) {
      for (const goBackwards of [false, true]) {
        const flags = { returnSequences, goBackwards };
        test(`${name} ${JSON.stringify(flags)} gives tfjs-layers' output with the same weights`, async () => {
          setSeed(12);
          const x = tf.randomUniform([3, 5, 4], -2, 2, 'float32', 13);
          await expectSameAsTfjs(ours(flags), theirs(flags), x);
          x.dispose();
        });
      }
    }
    test(`${name} with a mask, sequences read backwards, gives tfjs-layers' output`, async () => {
      setSeed(14);
      const flags = { returnSequences: true, goBackwards: true };
      const x = tf.randomUniform([2, 5, 4], -2, 2, 'float32', 15);
      const mask = tf.tensor2d([
        [1, 1, 0, 1, 0],
        [0, 1, 1, 1, 1],
      ]);
      await expectSameAsTfjs(ours(flags), theirs(flags), x, mask);
      tf.dispose([x, mask]);
    });
  }
});

/** Keras 3's GRU step with reset_after (gru.py, implementation 2), in plain JS on row-major arrays. */
function kerasGruResetAfter(
  x: ArrayLike<number>,
  [batch, time, dim]: [number, number, number],
  kernel: ArrayLike<number>,
  recurrent: ArrayLike<number>,
  biases: ArrayLike<number>,
  units: number,
): number[][] {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const outputs: number[][] = [];
  for (let b = 0; b < batch; b++) {
    let h: number[] = new Array(units).fill(0);
    for (let t = 0; t < time; t++) {
      // matrix_x = x·W + b_input and matrix_inner = h·U + b_recurrent, gates z, r, h side by side.
      const mx: number[] = [];
      const inner: number[] = [];
      for (let j = 0; j < 3 * units; j++) {
        let sx = biases[j] as number;
        for (let i = 0; i < dim; i++)
          sx += (x[(b * time + t) * dim + i] as number) * (kernel[i * 3 * units + j] as number);
        let sh = biases[3 * units + j] as number;
        for (let i = 0; i < units; i++) sh += (h[i] as number) * (recurrent[i * 3 * units + j] as number);
        mx.push(sx);
        inner.push(sh);
      }
      h = h.map((hPrev, u) => {
        const z = sigmoid((mx[u] as number) + (inner[u] as number));
        const r = sigmoid((mx[units + u] as number) + (inner[units + u] as number));
        const hh = Math.tanh((mx[2 * units + u] as number) + r * (inner[2 * units + u] as number));
        return z * hPrev + (1 - z) * hh;
      });
    }
    outputs.push(h);
  }
  return outputs;
}

describe('GRU with resetAfter (Keras 3 default, which tfjs-layers lacks)', () => {
  test("gives Keras' formula computed by hand", async () => {
    await useBackend('cpu');
    setSeed(16);
    const gru = new GRU({ units: 3, biasInitializer: bias });
    gru.build([null, 4]);
    const x = tf.randomUniform([2, 5, 4], -2, 2, 'float32', 17);
    const { y } = gru.forward(x, { training: false });
    const { kernel, recurrentKernel, bias: b } = gru.params;
    const want = kerasGruResetAfter(
      await x.data(),
      x.shape as [number, number, number],
      await kernel.data(),
      await recurrentKernel.data(),
      await (b as tf.Variable).data(),
      3,
    );
    const got = Array.from(await y.data());
    const worst = want.flat().reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] as number))), 0);
    expect(worst).toBeLessThan(TOLERANCE);
    tf.dispose([x, y]);
    gru.dispose();
  });
});
