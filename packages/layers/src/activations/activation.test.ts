import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Activation } from './activation.js';
import { ActivationName, activate, activationGrad } from './functions.js';

/**
 * Two rows off every kink: 0, ±0.5 (the shrinks), ±1 (hard_tanh, sparse_sigmoid, sparse_plus), ±2.5 (Keras 2's
 * hard sigmoid), ±3 (hard_sigmoid, hard_silu) and 6 (relu6), each at least 0.05 away, with saturated values on
 * both sides.
 */
const offKinks = () =>
  tf.tensor2d([
    [-4.2, -2.6, -1.7, -0.8, -0.3, 0.2, 0.7, 1.4, 2.3, 3.8, 6.7, -0.65],
    [0.35, -0.15, 1.2, -1.3, 2.9, -3.3, 0.85, -0.55, 5.2, 0.05, -2.1, 1.75],
  ]);
/** Rows where sparsemax keeps 4 and 3 entries, each at least 0.06 from its threshold τ (0.3625, 0.8333). */
const sparsemaxInput = () =>
  tf.tensor2d([
    [0.3, 0.1, -0.5, 0.2, 0.65, -0.2, 0.45, -0.9, 0.8, -0.05, 0.55, -1.6],
    [1.1, -0.4, 0.7, 0.25, -1.3, 0.95, -0.7, 0.5, 1.45, -0.15, 0.05, -2.2],
  ]);

describeBrick('Activation', {
  brick: Activation,
  cases: ActivationName.options.map((activation) => ({
    title: `with ${activation}`,
    config: { activation },
    inputShape: [12],
    input: activation === 'sparsemax' ? sparsemaxInput : offKinks,
    ...(activation === 'glu' && { outputShape: [6] }),
    skipAutodiff: activation === 'sparsemax' ? { because: 'tfjs has no TopK gradient' } : undefined,
  })),
  spec: [{ activation: 'gelu' }, { activation: 'hard_sigmoid' }, { activation: 'logSoftmax' }],
  errors: [
    {
      rejects: 'an unknown activation',
      config: { name: 'a', activation: 'relu7' as never },
      message: /^Activation 'a': activation .*received "relu7"$/,
    },
    {
      rejects: "'threshold', which Keras cannot apply by name either",
      config: { name: 'a', activation: 'threshold' as never },
      message: /^Activation 'a': activation .*received "threshold"$/,
    },
    {
      rejects: 'glu on an odd last axis',
      config: { name: 'a', activation: 'glu' },
      build: [4, 5],
      message:
        "Activation 'a': activation 'glu' splits the last axis in two halves, so it must be even, received [null, 4, 5]",
    },
  ],
});

/**
 * Keras 3's golden values: keras/src/ops/nn_test.py (NNOpsCorrectnessTest, the ops behind each activation)
 * and, for sparsemax's one-hot, keras/src/activations/activations_test.py. Each row: the names, x, f(x).
 */
const X = [-1, 0, 1, 2, 3];
const XS = [-0.5, 0, 1, 2, 3];
const golden: [ActivationName[], number[], number[]][] = [
  [['relu'], X, [0, 0, 1, 2, 3]],
  [['relu6'], [-1, 0, 1, 2, 3, 4, 5, 6, 7], [0, 0, 1, 2, 3, 4, 5, 6, 6]],
  [['sigmoid'], X, [0.26894143, 0.5, 0.7310586, 0.880797, 0.95257413]],
  [['sparseSigmoid', 'sparse_sigmoid'], X, [0, 0.5, 1, 1, 1]],
  [['softplus'], X, [0.31326166, Math.LN2, 1.3132616, 2.126928, 3.0485873]],
  [['softsign'], X, [-0.5, 0, 0.5, 0.6666667, 0.75]],
  [['swish', 'silu'], X, [-0.26894143, 0, 0.7310586, 1.7615942, 2.8577223]],
  [['logSigmoid', 'log_sigmoid'], X, [-1.3132616, -Math.LN2, -0.31326166, -0.126928, -0.04858732]],
  [['leakyRelu', 'leaky_relu'], X, [-0.2, 0, 1, 2, 3]],
  [['hardSigmoid', 'hard_sigmoid'], X, [0.33333334, 0.5, 0.6666667, 0.8333334, 1]],
  [
    ['hardSilu', 'hard_silu', 'hardSwish', 'hard_swish'],
    [-3, -2, -1, 0, 1, 2, 3],
    [0, -0.333333, -0.333333, 0, 0.6666667, 1.6666667, 3],
  ],
  [['elu'], X, [-0.63212055, 0, 1, 2, 3]],
  [['selu'], X, [-1.1113307, 0, 1.050701, 2.101402, 3.152103]],
  [['celu'], X, [-0.63212055, 0, 1, 2, 3]],
  [['glu'], [-1, 0, 1, 2, 3, 4], [-0.8807971, 0, 0.98201376]],
  [['tanhShrink', 'tanh_shrink'], X, [-0.238406, 0, 0.238406, 1.035972, 2.004945]],
  [['hardTanh', 'hard_tanh'], X, [-1, 0, 1, 1, 1]],
  [['hardShrink', 'hard_shrink'], XS, [0, 0, 1, 2, 3]],
  [['squareplus'], XS, [0.780776, 1, 1.618034, 2.414214, 3.302776]],
  [['softShrink', 'soft_shrink'], XS, [0, 0, 0.5, 1.5, 2.5]],
  [['sparsePlus', 'sparse_plus'], XS, [0.0625, 0.25, 1, 2, 3]],
  [['softmax'], [1, 2, 3], [0.09003057, 0.24472848, 0.66524094]],
  [
    ['logSoftmax', 'log_softmax'],
    [1, 2, 3],
    [-2.407606, -1.407606, -0.407606],
  ],
  [['sparsemax'], XS, [0, 0, 0, 0, 1]],
  [['sparsemax'], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
];

/**
 * Keras' definition where its tests compare with a formula rather than numbers (activations_test.py).
 * gelu: activations.gelu defaults to approximate=False, x·Φ(x) (nn_test.py's numbers are ops.gelu's
 * default, the tanh approximation); Φ at these points from the normal table.
 */
const gelu = new Map([
  [-1, -0.15865525393],
  [0, 0],
  [1, 0.84134474607],
  [2, 1.9544997361],
  [3, 2.99595030591],
]);
const softplus = (v: number) => Math.log1p(Math.exp(v));
const formulas: [ActivationName[], (v: number) => number][] = [
  [['linear'], (v) => v],
  [['tanh'], Math.tanh],
  [['exponential'], Math.exp],
  [['mish'], (v) => v * Math.tanh(softplus(v))],
];

async function expectClose(got: tf.Tensor, want: readonly number[]): Promise<void> {
  const data = Array.from(await got.data());
  expect(data).toHaveLength(want.length);
  data.forEach((v, i) => {
    const w = want[i] as number;
    expect(Math.abs(v - w), `entry ${i}: ${v} against ${w}`).toBeLessThan(1e-5 + 1e-5 * Math.abs(w));
  });
}

describe('Activation', () => {
  test('applies the named function', async () => {
    const x = tf.tensor2d([[-1, 2]]);
    const { y } = new Activation({ activation: 'relu' }).forward(x, { training: false });
    expect(Array.from(await y.data())).toEqual([0, 2]);
    tf.dispose([x, y]);
  });

  forEachBackend(() => {
    for (const [names, x, want] of golden) {
      for (const activation of names) {
        test(`${activation} matches Keras 3's values at [${x.join(', ')}]`, async () => {
          const input = tf.tensor2d([x]);
          const { y } = new Activation({ activation }).forward(input, { training: false });
          await expectClose(y, want);
          tf.dispose([input, y]);
        });
      }
    }

    for (const [names, f] of formulas) {
      for (const activation of names) {
        test(`${activation} follows Keras' formula`, async () => {
          const x = [-2.5, -1, -0.2, 0, 0.3, 1.5, 4];
          const input = tf.tensor2d([x]);
          const { y } = new Activation({ activation }).forward(input, { training: false });
          await expectClose(y, x.map(f));
          tf.dispose([input, y]);
        });
      }
    }

    test("gelu is Keras 3's default exact form x·Φ(x), not the tanh approximation", async () => {
      const input = tf.tensor2d([[...gelu.keys()]]);
      const { y } = new Activation({ activation: 'gelu' }).forward(input, { training: false });
      await expectClose(y, [...gelu.values()]);
      tf.dispose([input, y]);
    });

    test('sparsemax keeps the largest entries, shifted by τ so they sum to 1', async () => {
      // Sorted down: 0.3, 0.2, 0.1, -0.5; τ = max_k (Σ_{j≤k} - 1)/k = (0.6 - 1)/3.
      const x = tf.tensor2d([[0.3, 0.1, -0.5, 0.2]]);
      const y = activate('sparsemax', x);
      const tau = -0.4 / 3;
      await expectClose(y, [0.3 - tau, 0.1 - tau, 0, 0.2 - tau]);
      tf.dispose([x, y]);
    });
  });

  test('every snake_case name is its camelCase function, forward and backward', async () => {
    const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const snake = ActivationName.options.filter((name) => name.includes('_'));
    expect(snake).toHaveLength(12);
    const z = offKinks();
    const dy = tf.randomUniform([2, 12], -1, 1, 'float32', 3);
    for (const name of snake) {
      const twin = camel(name) as ActivationName;
      expect(ActivationName.options, `${name} has the camelCase twin ${twin}`).toContain(twin);
      const [y, yTwin] = [activate(name, z), activate(twin, z)];
      const [dz, dzTwin] = [activationGrad(name, dy, z, y), activationGrad(twin, dy, z, yTwin)];
      expect(Array.from(await y.data()), name).toEqual(Array.from(await yTwin.data()));
      expect(Array.from(await dz.data()), name).toEqual(Array.from(await dzTwin.data()));
      tf.dispose([y, yTwin, dz, dzTwin]);
    }
    tf.dispose([z, dy]);
  });

  test('glu halves the last axis', () => {
    const glu = new Activation({ activation: 'glu' });
    expect(glu.build([3, 8])).toEqual([3, 4]);
  });
});
