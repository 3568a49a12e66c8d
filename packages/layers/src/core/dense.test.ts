import { setSeed } from '@brickml/core';
import { describeBrick, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { ActivationName, activate, activationGrad } from '../activations/functions.js';
import { Dense, type DenseConfig } from './dense.js';

const bias = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

describeBrick('Dense', {
  brick: Dense,
  seed: 1,
  cases: [
    ...(['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const).map((activation) => ({
      title: `with ${activation}`,
      config: { units: 3, activation, kernelInitializer: 'heNormal' as const, biasInitializer: bias },
      inputShape: [4],
    })),
    ...(['leaky_relu', 'log_softmax', 'mish'] as const).map((activation) => ({
      title: `with ${activation}`,
      config: { units: 3, activation, biasInitializer: bias },
      inputShape: [4],
    })),
    {
      title: 'with glu, which halves the units',
      config: { units: 4, activation: 'glu' as const, biasInitializer: bias },
      inputShape: [3],
      outputShape: [2],
    },
    { title: 'on the last axis of a rank-3 input', config: { units: 2 }, inputShape: [3, 4], outputShape: [3, 2] },
    {
      title: 'with a kernel larger than the batch (wasm: z = (Wᵀ·xᵀ)ᵀ, dx = (W·dzᵀ)ᵀ)',
      config: { units: 12, activation: 'relu' as const, biasInitializer: bias },
      inputShape: [16],
    },
  ],
  spec: [
    { units: 5, activation: 'relu', kernelRegularizer: { className: 'L2', config: { l2: 0.01 } } },
    { units: 4, activation: 'hard_swish', activityRegularizer: 'l1_l2', biasRegularizer: 'l2' },
  ],
  errors: [
    {
      rejects: 'a non-positive units',
      config: { name: 'dense_x', units: 0 },
      message: "Dense 'dense_x': units must be a positive integer, received 0",
    },
    {
      rejects: 'an input of the wrong width, naming both shapes',
      config: { name: 'd', units: 2 },
      build: [4],
      forward: [3, 5],
      message: "Dense 'd': input must have shape [null, 4], received [3, 5]",
    },
    {
      rejects: 'glu on an odd number of units',
      config: { name: 'd', units: 3, activation: 'glu' },
      build: [4],
      message: "Dense 'd': activation 'glu' splits the last axis in two halves, so it must be even, received [null, 3]",
    },
  ],
});

/** The Keras 3 activity penalty of y, by hand: (l1·Σ|y| + l2·Σy²) / batch. */
const penaltyOf = (ys: ArrayLike<number>, batch: number, l1: number, l2: number) =>
  Array.from(ys).reduce((s, v) => s + l1 * Math.abs(v) + l2 * v * v, 0) / batch;

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

/**
 * backward (and, for the loss-fused path, backwardFromPreActivation from the loss's dz) against tfjs
 * autodiff of L = Σ y·r + P(y): gradCheck's L leaves the penalty out, so this checks that its gradient is in.
 */
async function expectPenaltyInBackward(config: DenseConfig): Promise<void> {
  setSeed(5);
  const dense = new Dense({ biasInitializer: bias, ...config });
  const x = tf.variable(tf.randomUniform([3, 4], -1, 1, 'float32', 6), true);
  dense.build([4]);
  const r = tf.randomUniform([3, ...(dense.outputShape as number[])], -1, 1, 'float32', 7);
  const { kernel, bias: b } = dense.params as { kernel: tf.Variable; bias: tf.Variable };
  const auto = tf.variableGrads(() => {
    const out = dense.forward(x, { training: true });
    return tf.add(tf.sum(tf.mul(out.y, r)), out.penalty as tf.Scalar) as tf.Scalar;
  }, [x, kernel, b]);
  const want = { dx: auto.grads[x.name], kernel: auto.grads[kernel.name], bias: auto.grads[b.name] } as Record<
    string,
    tf.Tensor
  >;
  const { cache } = dense.forward(x, { training: true });
  const chained = dense.backward(r, cache);
  const dz = activationGrad(dense.activation, r, cache.z, cache.y);
  const fused = dense.backwardFromPreActivation(dz, cache);
  const only = dense.paramGrads(r, cache);
  for (const [label, got] of [
    ['backward', chained],
    ['backwardFromPreActivation', fused],
  ] as const) {
    expect(await relError(got.dx, want.dx as tf.Tensor), `${label} dx`).toBeLessThan(1e-3);
    expect(await relError(got.grads.kernel, want.kernel as tf.Tensor), `${label} dW`).toBeLessThan(1e-3);
    expect(await relError(got.grads.bias as tf.Tensor, want.bias as tf.Tensor), `${label} db`).toBeLessThan(1e-3);
  }
  expect(await relError(only.kernel, want.kernel as tf.Tensor), 'paramGrads dW').toBeLessThan(1e-3);
  expect(await relError(only.bias as tf.Tensor, want.bias as tf.Tensor), 'paramGrads db').toBeLessThan(1e-3);
  tf.dispose([x, r, auto.value, ...Object.values(auto.grads), dz, cache.x, cache.z, cache.y]);
  tf.dispose([chained.dx, ...Object.values(chained.grads), fused.dx, ...Object.values(fused.grads)]);
  tf.dispose(Object.values(only));
  dense.dispose();
}

describe('Dense', () => {
  test('takes every activation by name, camelCase or snake_case', async () => {
    const x = tf.randomUniform([2, 3], -1, 1, 'float32', 4);
    for (const activation of ActivationName.options) {
      setSeed(6);
      const dense = new Dense({ units: 4, activation, biasInitializer: bias });
      const { y, cache } = dense.forward(x, { training: false });
      const want = activate(activation, tf.add(tf.matMul(x, dense.params.kernel), dense.params.bias as tf.Variable));
      expect(y.shape, activation).toEqual([2, activation === 'glu' ? 2 : 4]);
      expect(await relError(y, want), activation).toBeLessThan(1e-5);
      const back = dense.backward(tf.onesLike(y), cache);
      expect(back.dx.shape).toEqual([2, 3]);
      tf.dispose([y, want, cache.z, back.dx, ...Object.values(back.grads)]);
      dense.dispose();
    }
    x.dispose();
  });

  test('an activity regularizer adds reg(y) / batch as the penalty, as Keras 3', async () => {
    setSeed(7);
    const l1 = 0.05;
    const l2 = 0.2;
    const dense = new Dense({
      units: 3,
      activation: 'tanh',
      activityRegularizer: { className: 'L1L2', config: { l1, l2 } },
    });
    const x = tf.randomUniform([4, 5], -1, 1, 'float32', 8);
    const { y, penalty } = dense.forward(x, { training: false });
    expect(penalty?.shape).toEqual([]);
    expect((await (penalty as tf.Scalar).data())[0]).toBeCloseTo(penaltyOf(await y.data(), 4, l1, l2), 5);
    tf.dispose([x, y, penalty as tf.Scalar]);
    dense.dispose();
  });

  test('the activity penalty does not grow with the batch: a repeated row gives the same penalty', async () => {
    setSeed(8);
    const dense = new Dense({ units: 3, activityRegularizer: 'l2' });
    const row = tf.randomUniform([1, 5], -1, 1, 'float32', 9);
    const twice = tf.concat([row, row]);
    const a = dense.forward(row, { training: false });
    const b = dense.forward(twice, { training: false });
    expect((await (b.penalty as tf.Scalar).data())[0]).toBeCloseTo(
      (await (a.penalty as tf.Scalar).data())[0] as number,
      6,
    );
    tf.dispose([row, twice, a.y, b.y, a.penalty as tf.Scalar, b.penalty as tf.Scalar]);
    dense.dispose();
  });

  test('without an activity regularizer, forward returns no penalty', () => {
    const dense = new Dense({ units: 2 });
    const x = tf.ones([1, 3]);
    const out = dense.forward(x, { training: false });
    expect(out.penalty).toBeUndefined();
    tf.dispose([x, out.y]);
    dense.dispose();
  });

  forEachBackend(() => {
    test("backward adds the activity penalty's gradient ('l1_l2' with tanh)", () =>
      expectPenaltyInBackward({ units: 3, activation: 'tanh', activityRegularizer: 'l1_l2' }));
    test("backward adds the activity penalty's gradient, the loss-fused path too (L2 with softmax)", () =>
      expectPenaltyInBackward({
        units: 3,
        activation: 'softmax',
        activityRegularizer: { className: 'L2', config: { l2: 0.5 } },
      }));
    test("backward adds the activity penalty's gradient (L1 with linear)", () =>
      expectPenaltyInBackward({ units: 2, activityRegularizer: { className: 'L1', config: { l1: 0.3 } } }));
  });

  forEachBackend(() => {
    // Shapes on both sides of wasm's layout choices: a kernel larger than the batch (transposed matMuls)
    // and a batch larger than the kernel (plain ones).
    test.each([
      [2, 16, 12],
      [8, 4, 3],
    ])('forward and backward equal x·W + b and its gradients, batch %i, %i → %i', async (batch, inDim, units) => {
      setSeed(3);
      const dense = new Dense({ units, biasInitializer: bias });
      // Seeded inputs: wasm's own product fuses multiply-adds, so an entry that cancels to near 0 can differ
      // from tf.matMul's by more than 1e-5 of itself; fixed draws make the check the same on every run.
      const x = tf.randomNormal([batch, inDim], 0, 1, 'float32', 5);
      const dy = tf.randomNormal([batch, units], 0, 1, 'float32', 6);
      const { y, cache } = dense.forward(x, { training: true });
      const { dx, grads } = dense.backward(dy, cache);
      const { kernel: w, bias: b } = dense.params;
      const expected = [
        tf.add(tf.matMul(x, w), b!),
        tf.matMul(dy, w, false, true),
        tf.matMul(x, dy, true, false),
        tf.sum(dy, 0),
      ];
      const got = [y, dx, grads.kernel, grads.bias!];
      for (const [i, e] of expected.entries()) expect(await relError(got[i]!, e)).toBeLessThan(1e-5);
      tf.dispose([x, dy, y, dx, grads.kernel, grads.bias!, ...expected, ...Object.values(cache)]);
      dense.dispose();
    });
  });

  test('paramGrads equals the grads of backward', async () => {
    setSeed(2);
    const dense = new Dense({ units: 3, activation: 'tanh' });
    const x = tf.randomNormal([4, 5]);
    const dy = tf.randomNormal([4, 3]);
    const { cache } = dense.forward(x, { training: true });
    const full = dense.backward(dy, cache);
    const only = dense.paramGrads(dy, cache);
    expect(await only.kernel.data()).toEqual(await full.grads.kernel.data());
    expect(await only.bias!.data()).toEqual(await full.grads.bias!.data());
    tf.dispose([x, dy, full.dx, full.grads.kernel, full.grads.bias!, only.kernel, only.bias!]);
    dense.dispose();
  });
});
