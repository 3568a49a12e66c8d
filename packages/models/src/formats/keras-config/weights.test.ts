import { type BrickSpec, Dense } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { kerasWeightKeys, kerasWeights, matchesKerasName } from './weights.js';

const rec = () => tfl.initializers.glorotUniform({});

/** A brick and the same layer in tfjs-layers, built for one input shape (no batch axis). */
const cases: [string, BrickSpec, () => tfl.layers.Layer, number[]][] = [
  [
    'Dense',
    { className: 'Dense', config: { name: 'd', units: 3 } },
    () => tfl.layers.dense({ name: 'd', units: 3 }),
    [4],
  ],
  [
    'Conv2D without a bias',
    { className: 'Conv2D', config: { name: 'c', filters: 2, kernelSize: 3, useBias: false } },
    () => tfl.layers.conv2d({ name: 'c', filters: 2, kernelSize: 3, useBias: false }),
    [5, 5, 2],
  ],
  [
    'DepthwiseConv2D',
    { className: 'DepthwiseConv2D', config: { name: 'dw', kernelSize: 3 } },
    () => tfl.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3 }),
    [5, 5, 2],
  ],
  [
    'SeparableConv2D',
    { className: 'SeparableConv2D', config: { name: 's', filters: 2, kernelSize: 3 } },
    () => tfl.layers.separableConv2d({ name: 's', filters: 2, kernelSize: 3 }),
    [5, 5, 2],
  ],
  [
    'BatchNormalization without a center',
    { className: 'BatchNormalization', config: { name: 'bn', center: false } },
    () => tfl.layers.batchNormalization({ name: 'bn', center: false }),
    [3],
  ],
  [
    'LayerNormalization',
    { className: 'LayerNormalization', config: { name: 'ln' } },
    () => tfl.layers.layerNormalization({ name: 'ln' }),
    [3],
  ],
  [
    'Embedding',
    { className: 'Embedding', config: { name: 'e', inputDim: 5, outputDim: 2 } },
    () => tfl.layers.embedding({ name: 'e', inputDim: 5, outputDim: 2 }),
    [4],
  ],
  [
    'LSTM',
    { className: 'LSTM', config: { name: 'l', units: 2 } },
    () => tfl.layers.lstm({ name: 'l', units: 2, recurrentInitializer: rec() }),
    [4, 3],
  ],
  [
    'GRU',
    { className: 'GRU', config: { name: 'g', units: 2, resetAfter: false } },
    () => tfl.layers.gru({ name: 'g', units: 2, recurrentInitializer: rec() }),
    [4, 3],
  ],
  [
    'Bidirectional SimpleRNN',
    {
      className: 'Bidirectional',
      config: { name: 'b', layer: { className: 'SimpleRNN', config: { name: 'r', units: 2 } } },
    },
    () =>
      tfl.layers.bidirectional({
        name: 'b',
        layer: tfl.layers.simpleRNN({ name: 'r', units: 2, recurrentInitializer: rec() }) as tfl.RNN,
      }),
    [4, 3],
  ],
  [
    'TimeDistributed Dense',
    {
      className: 'TimeDistributed',
      config: { name: 't', layer: { className: 'Dense', config: { name: 'inner', units: 2 } } },
    },
    () => tfl.layers.timeDistributed({ name: 't', layer: tfl.layers.dense({ name: 'inner', units: 2 }) }),
    [4, 3],
  ],
];

describe.each(cases)('%s', (_, spec, make, shape) => {
  test("its weights are tfjs-layers' weights, named and ordered as tfjs-layers creates them", () => {
    const layer = make();
    layer.apply(tfl.input({ shape }));
    const names = layer.weights.map((w) => w.originalName);
    const name = spec.config.name as string;
    expect(kerasWeights(spec).map((w) => `${name}/${w.keras}`)).toEqual(names);
    expect(names.every((n, i) => matchesKerasName(n, name, kerasWeights(spec)[i] as never))).toBe(true);
    layer.dispose();
  });
});

test("brickml's keys follow Keras' order: LSTM kernel, recurrent kernel, bias; BatchNormalization's statistics last", () => {
  expect(kerasWeightKeys({ className: 'LSTM', config: { units: 2 } })).toEqual(['kernel', 'recurrentKernel', 'bias']);
  expect(kerasWeightKeys({ className: 'BatchNormalization', config: {} })).toEqual([
    'gamma',
    'beta',
    'movingMean',
    'movingVariance',
  ]);
});

test('a weight name of the other direction or another layer does not match', () => {
  const [forward] = kerasWeights({
    className: 'Bidirectional',
    config: { name: 'b', layer: { className: 'LSTM', config: { name: 'l', units: 2 } } },
  });
  expect(matchesKerasName('b/forward_l/lstm_cell/kernel:0', 'b', forward as never)).toBe(true);
  expect(matchesKerasName('b/backward_l/lstm_cell/kernel:0', 'b', forward as never)).toBe(false);
  expect(matchesKerasName('b2/forward_l/kernel', 'b', forward as never)).toBe(false);
});

describe('a param Keras has no name for', () => {
  /** A built Dense given one more param than Dense has: what a brick the table does not know looks like. */
  function withExtraParam() {
    const dense = new Dense({ name: 'd', units: 2 });
    dense.build([3]);
    const extra = tf.variable(tf.zeros([2]));
    (dense.params as Record<string, tf.Variable>).extra = extra;
    return { dense, extra };
  }

  test('is a named error for the brick, never a weight left out', () => {
    const { dense, extra } = withExtraParam();
    expect(() => kerasWeights(dense)).toThrow("Dense 'd': param 'extra' has no Keras weight name");
    extra.dispose();
    dense.dispose();
  });

  test('a spec alone lists the weights Keras names', () => {
    const { dense, extra } = withExtraParam();
    expect(kerasWeightKeys(dense.toSpec() as BrickSpec)).toEqual(['kernel', 'bias']);
    extra.dispose();
    dense.dispose();
  });
});
