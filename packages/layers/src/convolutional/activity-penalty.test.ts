import { setSeed } from '@brickml/core';
import { forEachBackend, TEST_BACKENDS } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { activationGrad } from '../activations/functions.js';
import type { Layer } from '../layer.js';
import { Conv1D } from './conv1d.js';
import { Conv2DTranspose } from './conv2d-transpose.js';
import { DepthwiseConv2D } from './depthwise-conv2d.js';
import { SeparableConv2D } from './separable-conv2d.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;
const activityRegularizer = { className: 'L1L2', config: { l1: 0.2, l2: 0.3 } } as const;
const common = { activation: 'sigmoid', biasInitializer: bias, activityRegularizer } as const;

type Fused = Layer & {
  backwardFromPreActivation(dz: tf.Tensor, cache: unknown): { dx: tf.Tensor; grads: Record<string, tf.Tensor> };
};

/** Each convolution brick with an activity regularizer, and the example shape it reads. */
const bricks: [string, () => Fused, number[]][] = [
  ['Conv1D', () => new Conv1D({ filters: 2, kernelSize: 2, padding: 'causal', ...common }) as Fused, [5, 2]],
  ['DepthwiseConv2D', () => new DepthwiseConv2D({ kernelSize: 2, depthMultiplier: 2, ...common }) as Fused, [4, 4, 2]],
  ['SeparableConv2D', () => new SeparableConv2D({ filters: 2, kernelSize: 2, ...common }) as Fused, [4, 4, 2]],
  [
    'Conv2DTranspose',
    () => new Conv2DTranspose({ filters: 2, kernelSize: 2, strides: 2, ...common }) as Fused,
    [2, 2, 2],
  ],
];

/** Largest |a - b| / max(|a|, |b|, 1e-3) over two tensors' entries. */
async function relError(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [av, bv] = [await a.data(), await b.data()];
  let worst = 0;
  av.forEach((v, i) => {
    const w = bv[i] as number;
    worst = Math.max(worst, Math.abs(v - w) / Math.max(Math.abs(v), Math.abs(w), 1e-3));
  });
  return worst;
}

describe('convolution bricks with an activity regularizer', () => {
  for (const [name, make, shape] of bricks) {
    test(`${name} adds reg(y) / batch as the penalty, as Keras 3`, async () => {
      setSeed(7);
      const brick = make();
      const x = tf.randomUniform([3, ...shape], -1, 1, 'float32', 8);
      const { y, penalty } = brick.forward(x, { training: false });
      const want = Array.from(await y.data()).reduce((s, v) => s + 0.2 * Math.abs(v) + 0.3 * v * v, 0) / 3;
      expect((await (penalty as tf.Scalar).data())[0]).toBeCloseTo(want, 4);
      tf.dispose([x, y, penalty as tf.Scalar]);
      brick.dispose();
    });
  }

  // tfjs autodiff of these convolutions needs backprop kernels that wasm lacks.
  forEachBackend(
    () => {
      for (const [name, make, shape] of bricks) {
        test(`${name} backward adds the penalty's gradient, the loss-fused path too`, async () => {
          setSeed(5);
          const brick = make();
          const x = tf.variable(tf.randomUniform([2, ...shape], -1, 1, 'float32', 6), true);
          const out = brick.build(shape);
          const r = tf.randomUniform([2, ...(out as number[])], -1, 1, 'float32', 7);
          const params = Object.entries(brick.params);
          // L = Σ y·r + P(y): the harness's gradient checks leave the penalty out.
          const auto = tf.variableGrads(() => {
            const o = brick.forward(x, { training: true });
            return tf.add(tf.sum(tf.mul(o.y, r)), o.penalty as tf.Scalar) as tf.Scalar;
          }, [x, ...params.map(([, v]) => v)]);
          const { cache, y } = brick.forward(x, { training: true });
          const { z } = cache as { z: tf.Tensor };
          const dz = activationGrad('sigmoid', r, z, y);
          for (const got of [brick.backward(r, cache), brick.backwardFromPreActivation(dz, cache)]) {
            expect(await relError(got.dx, auto.grads[x.name] as tf.Tensor), 'dx').toBeLessThan(1e-3);
            for (const [key, v] of params) {
              expect(await relError(got.grads[key] as tf.Tensor, auto.grads[v.name] as tf.Tensor), key).toBeLessThan(
                1e-3,
              );
            }
          }
          tf.dispose([x, r, y]);
          tf.dispose(Object.values(auto.grads));
          brick.dispose();
        });
      }
    },
    TEST_BACKENDS.filter((b) => b !== 'wasm'),
  );
});
