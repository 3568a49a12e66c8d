import { setSeed } from '@brickml/core';
import { forEachBackend, TEST_BACKENDS } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import type { Layer } from '../layer.js';
import { input } from '../symbolic.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import type { RecurrentCache } from './recurrent.js';
import { SimpleRNN } from './simple-rnn.js';

type Make = (config: {
  returnSequences?: boolean;
  goBackwards?: boolean;
  stateful?: boolean;
  batchSize?: number;
}) => Layer;
const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;
const BRICKS: [string, Make][] = [
  ['SimpleRNN', (c) => new SimpleRNN({ units: 3, biasInitializer: bias, ...c })],
  ['LSTM', (c) => new LSTM({ units: 5, biasInitializer: bias, ...c })],
  ['GRU', (c) => new GRU({ units: 5, biasInitializer: bias, ...c })],
  ['GRU without resetAfter', (c) => new GRU({ units: 3, biasInitializer: bias, resetAfter: false, ...c })],
];

/** A brick of the family with weights drawn from `seed`, built for sequences of 3 features. */
const seeded = (make: Make, seed: number, config: Parameters<Make>[0] = {}) => {
  setSeed(seed);
  const brick = make(config);
  brick.build([null, 3]);
  return brick;
};

const maxAbsDiff = async (a: tf.Tensor, b: tf.Tensor) => {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [Array.from(await a.data()), Array.from(await b.data())];
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] as number))), 0);
};

/**
 * Analytic gradients of L = Σ y·r + Σₖ Σ stateₖ·rₖ (returnState's extra outputs) against central
 * finite differences, for x and every parameter.
 */
async function expectStateGradients(brick: Layer, xShape: number[], mask?: tf.Tensor): Promise<void> {
  setSeed(11);
  const x = tf.variable(tf.randomUniform(xShape, -1, 1, 'float32', 4), true, `state-grads-x-${brick.name}`);
  const opts = { training: false, ...(mask && { mask }) };
  const probe = brick.forward(x, opts);
  const outs = [probe.y, ...(probe.extra ?? [])];
  expect(outs.length, 'returnState outputs').toBeGreaterThan(1);
  const rs = outs.map((t, k) => tf.randomUniform(t.shape, -1, 1, 'float32', 20 + k));
  const { dx, grads } = brick.backward(rs[0] as tf.Tensor, probe.cache, rs.slice(1));
  tf.dispose([probe.y, ...(probe.extra ?? []), ...Object.values(probe.cache as object).flat()]);
  const loss = async () => {
    const l = tf.tidy(() => {
      const o = brick.forward(x, opts);
      return [o.y, ...(o.extra ?? [])].reduce<tf.Tensor>(
        (acc, t, k) => tf.add(acc, tf.sum(tf.mul(t, rs[k] as tf.Tensor))),
        tf.scalar(0),
      );
    });
    const v = (await l.data())[0] as number;
    l.dispose();
    return v;
  };
  const targets: [string, tf.Variable, tf.Tensor][] = [
    ['x', x, dx],
    ...Object.entries(brick.params).map(([k, v]): [string, tf.Variable, tf.Tensor] => [
      k,
      v,
      (grads as Record<string, tf.Tensor>)[k] as tf.Tensor,
    ]),
  ];
  const eps = 1e-2;
  for (const [key, v, g] of targets) {
    const base = (await v.data()) as Float32Array;
    const analytic = await g.data();
    let worst = 0;
    for (let i = 0; i < base.length; i += Math.max(1, Math.floor(base.length / 12))) {
      const probeAt = async (delta: number) => {
        const data = Float32Array.from(base);
        data[i] = (base[i] as number) + delta;
        tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
        return loss();
      };
      const numeric = ((await probeAt(eps)) - (await probeAt(-eps))) / (2 * eps);
      const a = analytic[i] as number;
      worst = Math.max(worst, Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), 1e-3));
    }
    tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
    expect(worst, `${brick.className} d/d${key} with the states' gradients`).toBeLessThan(2e-2);
  }
  tf.dispose([x, dx, ...Object.values(grads), ...rs]);
}

describe('returnState', () => {
  forEachBackend(() => {
    const cases: [string, () => Layer, (() => tf.Tensor2D) | null][] = [
      ['LSTM: y, h and c', () => new LSTM({ units: 5, biasInitializer: bias, returnState: true }), null],
      [
        'LSTM with sequences, backwards and a mask',
        () =>
          new LSTM({ units: 5, biasInitializer: bias, returnState: true, returnSequences: true, goBackwards: true }),
        () =>
          tf.tensor2d([
            [1, 1, 0, 1],
            [0, 1, 1, 0],
          ]),
      ],
      [
        'GRU: y and h',
        () => new GRU({ units: 5, biasInitializer: bias, returnState: true, returnSequences: true }),
        null,
      ],
      [
        'GRU without resetAfter',
        () => new GRU({ units: 3, biasInitializer: bias, returnState: true, resetAfter: false }),
        null,
      ],
      [
        'SimpleRNN with a mask',
        () => new SimpleRNN({ units: 3, biasInitializer: bias, returnState: true }),
        () =>
          tf.tensor2d([
            [1, 0, 1, 1],
            [1, 1, 1, 0],
          ]),
      ],
    ];
    for (const [title, make, mask] of cases) {
      test(`${title}: the final states' gradients match finite differences`, async () => {
        setSeed(2);
        const brick = make();
        const m = mask?.();
        await expectStateGradients(brick, [2, 4, 3], m);
        m?.dispose();
        brick.dispose();
      });
    }
  });

  test('apply gives [y, h, c] for LSTM and [y, h] for GRU and SimpleRNN, Keras order', () => {
    const x = input({ shape: [null, 5] });
    const lstm = new LSTM({ units: 4, returnSequences: true, returnState: true }).apply(x);
    expect(Array.isArray(lstm) && lstm.map((t) => t.shape)).toEqual([[null, 4], [4], [4]]);
    const gru = new GRU({ units: 2, returnState: true }).apply(x);
    expect(Array.isArray(gru) && gru.map((t) => t.shape)).toEqual([[2], [2]]);
    const rnn = new SimpleRNN({ units: 2 }).apply(x);
    expect(!Array.isArray(rnn) && rnn.shape).toEqual([2]);
  });
});

describe('masks', () => {
  for (const [name, make] of BRICKS) {
    test(`${name}: a masked step outputs the carried h, and a leading one outputs 0 (Keras)`, async () => {
      setSeed(3);
      const brick = make({ returnSequences: true });
      const x = tf.randomUniform([1, 4, 3], -1, 1, 'float32', 1);
      const mask = tf.tensor2d([[0, 1, 0, 1]]);
      const { y } = brick.forward(x, { training: false, mask });
      const steps = tf.unstack(y, 1);
      const zeros = tf.zerosLike(steps[0] as tf.Tensor);
      expect(await maxAbsDiff(steps[0] as tf.Tensor, zeros)).toBe(0);
      expect(await maxAbsDiff(steps[2] as tf.Tensor, steps[1] as tf.Tensor)).toBe(0);
      expect(await maxAbsDiff(steps[3] as tf.Tensor, steps[2] as tf.Tensor)).toBeGreaterThan(1e-3);
      tf.dispose([x, mask, y, zeros, ...steps]);
      brick.dispose();
    });

    test(`${name}: a right-padded sequence gives what the unpadded one gives`, async () => {
      setSeed(3);
      const brick = make({});
      const x = tf.randomUniform([2, 5, 3], -1, 1, 'float32', 2);
      const mask = tf.tensor2d([
        [1, 1, 1, 0, 0],
        [1, 1, 1, 0, 0],
      ]);
      const padded = brick.forward(x, { training: false, mask }).y;
      const short = tf.slice(x, [0, 0, 0], [2, 3, 3]);
      const plain = brick.forward(short, { training: false }).y;
      expect(await maxAbsDiff(padded, plain)).toBeLessThan(1e-6);
      tf.dispose([x, mask, padded, short, plain]);
      brick.dispose();
    });

    test(`${name}: goBackwards reads the sequence and its mask from the end`, async () => {
      const backwards = seeded(make, 4, { returnSequences: true, goBackwards: true });
      const forwards = seeded(make, 4, { returnSequences: true });
      const x = tf.randomUniform([2, 4, 3], -1, 1, 'float32', 3);
      const mask = tf.tensor2d([
        [1, 0, 1, 1],
        [0, 1, 1, 0],
      ]);
      const a = backwards.forward(x, { training: false, mask }).y;
      const [xr, mr] = [tf.reverse(x, 1), tf.reverse(mask, 1)];
      const b = forwards.forward(xr, { training: false, mask: mr }).y;
      expect(await maxAbsDiff(a, b)).toBe(0);
      tf.dispose([x, mask, a, b, xr, mr]);
      backwards.dispose();
      forwards.dispose();
    });
  }

  test('the output keeps the mask with returnSequences and drops it without', () => {
    const x = tf.zeros([2, 4, 3]);
    const mask = tf.ones([2, 4]);
    expect(new LSTM({ units: 2, returnSequences: true }).computeMask(x, mask)).toBe(mask);
    expect(new GRU({ units: 2 }).computeMask(x, mask)).toBeNull();
    tf.dispose([x, mask]);
  });
});

describe('stateful', () => {
  for (const [name, make] of BRICKS) {
    test(`${name}: the states of one batch start the next, in training and inference`, async () => {
      const [carried, whole] = [
        seeded(make, 8, { returnSequences: true, stateful: true, batchSize: 2 }),
        seeded(make, 8, { returnSequences: true }),
      ];
      const x = tf.randomUniform([2, 6, 3], -1, 1, 'float32', 5);
      const [first, second] = tf.split(x, 2, 1) as [tf.Tensor, tf.Tensor];
      const a = carried.forward(first, { training: true }).y;
      const b = carried.forward(second, { training: false }).y;
      const ab = tf.concat([a, b], 1);
      const full = whole.forward(x, { training: false }).y;
      expect(await maxAbsDiff(ab, full)).toBeLessThan(1e-6);
      tf.dispose([x, first, second, a, b, ab, full]);
      carried.dispose();
      whole.dispose();
    });
  }

  test('resetStates zeroes the states, and calls around it leave no tensor behind', async () => {
    setSeed(9);
    const lstm = new LSTM({ units: 3, stateful: true, batchSize: 2, returnSequences: true });
    const x = tf.randomUniform([2, 3, 4], -1, 1, 'float32', 6);
    const fresh = tf.tidy(() => lstm.forward(x, { training: false }).y);
    const cycle = () => {
      tf.tidy(() => {
        const { y, cache } = lstm.forward(x, { training: true });
        lstm.backward(tf.onesLike(y), cache);
      });
      lstm.resetStates();
    };
    cycle();
    const before = tf.memory().numTensors;
    cycle();
    cycle();
    expect(tf.memory().numTensors).toBe(before);
    for (const v of Object.values(lstm.state)) expect(Math.max(...(await v.data()).map(Math.abs))).toBe(0);
    expect(Object.keys(lstm.state)).toEqual(['h', 'c']);
    const again = tf.tidy(() => lstm.forward(x, { training: false }).y);
    expect(await maxAbsDiff(again, fresh)).toBe(0);
    tf.dispose([x, fresh, again]);
    lstm.dispose();
  });

  test("with a mask, steps before an example's first used one output 0 while its states carry on (Keras)", async () => {
    setSeed(10);
    const gru = new GRU({ units: 2, stateful: true, batchSize: 1, returnSequences: true });
    const x = tf.randomUniform([1, 3, 2], -1, 1, 'float32', 7);
    tf.dispose(gru.forward(x, { training: false }).y);
    const h = tf.clone(gru.state.h as tf.Variable);
    const mask = tf.tensor2d([[0, 1, 1]]);
    const { y, cache } = gru.forward(x, { training: false, mask });
    const [y0] = tf.unstack(y, 1) as [tf.Tensor];
    const zeros = tf.zerosLike(y0);
    expect(await maxAbsDiff(y0, zeros)).toBe(0);
    // The first step's state is still the carried h: the second step starts from it.
    const second = (cache as RecurrentCache<{ hPrev: tf.Tensor }>).saved[1]?.hPrev as tf.Tensor;
    expect(await maxAbsDiff(second, h)).toBe(0);
    tf.dispose([x, h, mask, y, y0, zeros, ...Object.values(cache).flat()]);
    gru.dispose();
  });
});

describe('kernels per step', () => {
  /** Kernels one more time step adds to forward and to backward (with returnSequences). */
  async function perStep(make: () => Layer, masked: boolean): Promise<[number, number]> {
    const counts = async (time: number) => {
      const brick = make();
      const x = tf.randomUniform([2, time, 3]);
      const mask = masked ? tf.ones([2, time]) : null;
      let cache: unknown;
      let y: tf.Tensor | undefined;
      const forward = (
        await tf.profile(() => {
          const out = brick.forward(x, mask ? { training: false, mask } : { training: false });
          ({ y, cache } = out);
        })
      ).kernels.length;
      const dy = tf.onesLike(y as tf.Tensor);
      const backward = (
        await tf.profile(() => {
          const { dx, grads } = brick.backward(dy, cache);
          tf.dispose([dx, ...Object.values(grads)]);
        })
      ).kernels.length;
      tf.dispose([x, dy, y as tf.Tensor, mask ?? [], ...Object.values(cache as object).flat()].flat());
      brick.dispose();
      return [forward, backward];
    };
    const [f4, b4] = await counts(4);
    const [f5, b5] = await counts(5);
    return [(f5 as number) - (f4 as number), (b5 as number) - (b4 as number)];
  }

  const budget: [string, () => Layer, [number, number], [number, number]][] = [
    ['LSTM', () => new LSTM({ units: 3, returnSequences: true }), [12, 25], [18, 31]],
    ['GRU', () => new GRU({ units: 3, returnSequences: true }), [12, 6], [15, 6]],
    [
      'GRU without resetAfter',
      () => new GRU({ units: 3, returnSequences: true, resetAfter: false }),
      [11, 11],
      [14, 11],
    ],
    ['SimpleRNN', () => new SimpleRNN({ units: 3, returnSequences: true }), [3, 3], [6, 5]],
  ];
  for (const [name, make, plain, masked] of budget) {
    test(`${name}: a step costs ${plain.join(' forward and ')} backward kernels (${masked.join(' and ')} masked)`, async () => {
      expect(await perStep(make, false)).toEqual(plain);
      expect(await perStep(make, true)).toEqual(masked);
    });
  }

  // On wasm and webgpu, brickml's LSTM and GRU cell kernels take a step's element-wise work (4 units and more).
  forEachBackend(
    (backend) => {
      // Unmasked, all steps are one kernel each way (lstmSequence). Masked, a step's product starts from its
      // rows of XW on wasm; on webgpu a concat [x_t, h, 1] feeds it.
      const lstm = backend === 'wasm' ? [0, 0, 8] : [0, 0, 9];
      test(`LSTM with its cell kernels: a step costs ${lstm[0]} forward and ${lstm[1]} backward kernels (${lstm[2]} and 9 masked)`, async () => {
        const make = () => new LSTM({ units: 4, returnSequences: true });
        expect(await perStep(make, false)).toEqual([lstm[0], lstm[1]]);
        expect(await perStep(make, true)).toEqual([lstm[2], 9]);
      });
      // XW_t: on wasm a step's product starts from its rows of XW; on webgpu an add after it.
      const rnn = backend === 'wasm' ? [2, 5] : [3, 6];
      test(`SimpleRNN: a step costs ${rnn[0]} forward and 3 backward kernels (${rnn[1]} and 5 masked)`, async () => {
        const make = () => new SimpleRNN({ units: 4, returnSequences: true });
        expect(await perStep(make, false)).toEqual([rnn[0], 3]);
        expect(await perStep(make, true)).toEqual([rnn[1], 5]);
      });
      // The recurrent bias in the product's epilogue (brickml's own product; tfjs' fused one on webgpu).
      test('GRU with its cell kernel: a step costs 2 forward and 6 backward kernels (5 and 6 masked)', async () => {
        const make = () => new GRU({ units: 4, returnSequences: true });
        expect(await perStep(make, false)).toEqual([2, 6]);
        expect(await perStep(make, true)).toEqual([5, 6]);
      });
    },
    TEST_BACKENDS.filter((b) => b === 'wasm' || b === 'webgpu'),
  );
});
