import { setSeed } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { SimpleRNN } from '../recurrent/simple-rnn.js';
import { Bidirectional } from './bidirectional.js';

/** Two sequences of 4 steps: the first masked inside and at the end, the second at the start. */
const mask = () => tf.tensor2d([1, 0, 1, 0, 0, 1, 1, 1], [2, 4]);

const lstm = (extra: Record<string, unknown> = {}) => ({ className: 'LSTM', config: { units: 2, ...extra } });

describeBrick('Bidirectional', {
  brick: Bidirectional,
  seed: 4,
  cases: [
    { title: '(LSTM, concat, last output)', config: { layer: lstm() }, inputShape: [3, 3] },
    {
      title: '(LSTM, sum, sequences)',
      config: { layer: lstm({ returnSequences: true }), mergeMode: 'sum' },
      inputShape: [3, 3],
    },
    {
      title: '(GRU, mul, sequences)',
      config: { layer: { className: 'GRU', config: { units: 2, returnSequences: true } }, mergeMode: 'mul' },
      inputShape: [4, 2],
    },
    {
      title: '(SimpleRNN, ave)',
      config: { layer: { className: 'SimpleRNN', config: { units: 3 } }, mergeMode: 'ave' },
      inputShape: [3, 2],
    },
    { title: '(LSTM, free time axis)', config: { layer: lstm({ returnSequences: true }) }, inputShape: [null, 2] },
    {
      title: '(LSTM, concat, sequences masked)',
      config: { layer: lstm({ returnSequences: true }) },
      inputShape: [4, 2],
      mask,
    },
    {
      title: '(GRU, mul, sequences masked)',
      config: { layer: { className: 'GRU', config: { units: 2, returnSequences: true } }, mergeMode: 'mul' },
      inputShape: [4, 2],
      mask,
    },
  ],
  spec: [
    { layer: lstm({ returnSequences: true }), mergeMode: 'ave' },
    { layer: lstm(), mergeMode: null },
  ],
  errors: [
    {
      rejects: 'a brick that is not recurrent',
      config: { name: 'bi', layer: { className: 'Dense', config: { units: 2 } } },
      message: "Bidirectional 'bi': layer must be a recurrent brick (LSTM, GRU, SimpleRNN), received Dense",
    },
    {
      rejects: 'an input without a time axis',
      config: { name: 'bi2', layer: lstm() },
      build: [4],
      message: "Bidirectional 'bi2': input must have shape [null, time, features], received [null, 4]",
    },
  ],
});

describe('Bidirectional', () => {
  test('with a mask and sequences, both readings are 0 at the masked steps, as Keras forces zero_output_for_mask', async () => {
    setSeed(2);
    const both = new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: true }) });
    const x = tf.randomNormal([2, 4, 3], 0, 1, 'float32', 1);
    const m = mask();
    const y = tf.tidy(() => both.forward(x, { training: false, mask: m }).y);
    const values = await y.data();
    const kept = await m.data();
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 4; t++) {
        const row = Array.from(values.slice((b * 4 + t) * 4, (b * 4 + t + 1) * 4));
        if (kept[b * 4 + t] === 0)
          expect(
            row.every((v) => v === 0),
            `example ${b} step ${t}`,
          ).toBe(true);
        else expect(row.some((v) => v !== 0)).toBe(true);
      }
    }
    tf.dispose([x, m, y]);
    both.dispose();
  });

  test("its weights are the forward brick's then the backward one's, and it takes a brick as layer", () => {
    setSeed(1);
    const both = new Bidirectional({ name: 'bd', layer: new LSTM({ name: 'enc', units: 2 }) });
    both.build([3, 4]);
    expect(Object.keys(both.params)).toEqual([
      'forward/kernel',
      'forward/recurrentKernel',
      'forward/bias',
      'backward/kernel',
      'backward/recurrentKernel',
      'backward/bias',
    ]);
    expect(both.forwardLayer.name).toBe('forward_enc');
    expect(both.backwardLayer.name).toBe('backward_enc');
    expect(both.outputShape).toEqual([4]);
    both.dispose();
  });

  test("mergeMode null returns both directions, and returnState adds each direction's states", () => {
    const both = new Bidirectional({ layer: lstm({ returnState: true }), mergeMode: null });
    both.build([3, 2]);
    expect(both.outputShape).toEqual([2]);
    expect(both.extraOutputShapes).toEqual([[2], [2], [2], [2], [2]]);
    const x = tf.ones([1, 3, 2]);
    const { y, extra } = tf.tidy(() => both.forward(x, { training: false }) as never) as {
      y: tf.Tensor;
      extra: tf.Tensor[];
    };
    expect(extra).toHaveLength(5);
    tf.dispose([x, y, ...extra]);
    both.dispose();
  });

  test("gives tfjs-layers' outputs for LSTM and GRU, concat and sum, with the same weights (cpu)", async () => {
    for (const [kind, mergeMode, sequences] of [
      ['lstm', 'concat', false],
      ['lstm', 'sum', true],
      ['gru', 'concat', true],
      ['simple', 'ave', false],
    ] as const) {
      setSeed(7);
      const config = { units: 3, returnSequences: sequences };
      const inner =
        kind === 'lstm'
          ? new LSTM(config)
          : kind === 'gru'
            ? new GRU({ ...config, resetAfter: false })
            : new SimpleRNN(config);
      const ours = new Bidirectional({ layer: inner, mergeMode });
      ours.build([4, 2]);
      const tflInner =
        kind === 'lstm'
          ? tfl.layers.lstm({ ...config, recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros' })
          : kind === 'gru'
            ? tfl.layers.gru({ ...config, recurrentActivation: 'sigmoid', recurrentInitializer: 'zeros' })
            : tfl.layers.simpleRNN({ ...config, recurrentInitializer: 'zeros' });
      const theirs = tfl.layers.bidirectional({ layer: tflInner as tfl.RNN, mergeMode, inputShape: [4, 2] });
      const model = tfl.sequential({ layers: [theirs] });
      model.setWeights(Object.values(ours.params).map((v) => v as tf.Tensor));
      const x = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 3);
      const a = tf.tidy(() => ours.forward(x, { training: false }).y);
      const b = model.predict(x) as tf.Tensor;
      const [da, db] = [await a.data(), await b.data()];
      expect(a.shape).toEqual(b.shape);
      da.forEach((v, i) => {
        expect(Math.abs(v - (db[i] as number)), `${kind} ${mergeMode} [${i}]`).toBeLessThan(1e-5);
      });
      tf.dispose([x, a, b]);
      ours.dispose();
      model.dispose();
    }
  });
});
