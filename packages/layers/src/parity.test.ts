import { setSeed, useBackend } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import { Activation } from './activations/activation.js';
import type { ActivationName } from './activations/functions.js';
import { LeakyReLU } from './activations/leaky-relu.js';
import { ReLU } from './activations/relu.js';
import { Sigmoid } from './activations/sigmoid.js';
import { Softmax } from './activations/softmax.js';
import { Tanh } from './activations/tanh.js';
import { Dense } from './core/dense.js';
import type { Layer } from './layer.js';

const TOLERANCE = 1e-5;

/** Our forward output and tfjs-layers' on the same input, as flat arrays. */
async function outputs(brick: Layer, oracle: Oracle, x: tf.Tensor): Promise<[Float32Array, Float32Array]> {
  const { y } = brick.forward(x, { training: false });
  const expected = tf.tidy(() => oracle(x));
  expect(y.shape).toEqual(expected.shape);
  const result: [Float32Array, Float32Array] = [
    (await y.data()) as Float32Array,
    (await expected.data()) as Float32Array,
  ];
  tf.dispose([y, expected]);
  return result;
}

/** tfjs-layers' forward output for x. */
type Oracle = (x: tf.Tensor) => tf.Tensor;
const apply =
  (layer: tfl.layers.Layer): Oracle =>
  (x) =>
    layer.apply(x) as tf.Tensor;

async function expectSameOutput(brick: Layer, oracle: Oracle, x: tf.Tensor): Promise<void> {
  const [got, want] = await outputs(brick, oracle, x);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
  expect(worst, `${brick.className} against tfjs-layers`).toBeLessThan(TOLERANCE);
}

/** Inputs spread over [-4, 4] so every branch of every activation is exercised. */
function input(shape: number[]): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.sub(tf.randomUniform(shape, 0, 1, 'float32', 21), 0.5), 8));
}

describe('parity with tfjs-layers on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  for (const activation of ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const) {
    test(`Dense with ${activation} and the same kernel and bias gives the same output`, async () => {
      setSeed(3);
      const dense = new Dense({
        units: 5,
        activation,
        biasInitializer: { className: 'RandomUniform', config: { minval: -1, maxval: 1 } },
      });
      dense.build([7]);
      const oracle = tfl.layers.dense({ units: 5, activation, inputShape: [7] });
      oracle.build([null, 7]);
      oracle.setWeights([dense.params.kernel, dense.params.bias as tf.Tensor]);
      const x = input([4, 7]);
      await expectSameOutput(dense, apply(oracle), x);
      x.dispose();
      dense.dispose();
    });
  }

  const bricks: [string, () => Layer, () => Oracle][] = [
    ['ReLU', () => new ReLU(), () => apply(tfl.layers.reLU())],
    ['ReLU with maxValue', () => new ReLU({ maxValue: 2.5 }), () => apply(tfl.layers.reLU({ maxValue: 2.5 }))],
    [
      'ReLU with threshold',
      () => new ReLU({ threshold: 0.7 }),
      () => apply(tfl.layers.thresholdedReLU({ theta: 0.7 })),
    ],
    ['LeakyReLU', () => new LeakyReLU(), () => apply(tfl.layers.leakyReLU({ alpha: 0.3 }))],
    [
      'LeakyReLU with a slope',
      () => new LeakyReLU({ negativeSlope: 0.05 }),
      () => apply(tfl.layers.leakyReLU({ alpha: 0.05 })),
    ],
    ['Sigmoid', () => new Sigmoid(), () => apply(tfl.layers.activation({ activation: 'sigmoid' }))],
    ['Tanh', () => new Tanh(), () => apply(tfl.layers.activation({ activation: 'tanh' }))],
    ['Softmax', () => new Softmax(), () => apply(tfl.layers.softmax({ axis: -1 }))],
    [
      'Softmax over axis 1',
      () => new Softmax({ axis: 1 }),
      () => {
        // tfjs-layers softmaxes the last axis only: move axis 1 last and back.
        const last = apply(tfl.layers.softmax({ axis: -1 }));
        return (x) => tf.transpose(last(tf.transpose(x, [0, 2, 1])), [0, 2, 1]);
      },
    ],
  ];
  for (const [label, ours, theirs] of bricks) {
    test(`${label} gives the same output`, async () => {
      const x = input([3, 4, 5]);
      await expectSameOutput(ours(), theirs(), x);
      x.dispose();
    });
  }

  // The names tfjs-layers knows. hardSigmoid is left out: tfjs-layers keeps Keras 2's clip(0.2x + 0.5),
  // Keras 3 uses relu6(x + 3) / 6.
  const shared: ActivationName[] = [
    'linear',
    'relu',
    'relu6',
    'elu',
    'selu',
    'sigmoid',
    'tanh',
    'softmax',
    'logSoftmax',
    'softplus',
    'softsign',
    'swish',
    'gelu',
    'mish',
  ];
  for (const activation of shared) {
    test(`Activation ${activation} gives the same output`, async () => {
      const x = input([3, 6]);
      await expectSameOutput(
        new Activation({ activation }),
        apply(tfl.layers.activation({ activation: activation as never })),
        x,
      );
      x.dispose();
    });
  }
});
