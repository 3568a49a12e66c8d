import type { Loss } from '@brickml/losses';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export interface ExpectLossGradOptions {
  /** A scalar, [N], [N, 1] or [N, T] (per position), as the loss takes it. */
  sampleWeight?: tf.Tensor;
  /** Central-difference step; keep yPred at least this far from kinks and clips. Default 1e-2. */
  epsilon?: number;
  /** Largest relative error against finite differences. Default 2e-2. */
  tolerance?: number;
  /** Largest relative error against tfjs autodiff. Default 1e-3. */
  autodiffTolerance?: number;
}

function worstRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-3));
  }
  return worst;
}

/**
 * loss.grad against tf.grad of loss.value and against central finite differences of loss.value,
 * entry by entry (keep yPred small). Both include the sample weights and the 1/M reduction.
 */
export async function expectLossGradients(
  loss: Loss,
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ExpectLossGradOptions = {},
): Promise<void> {
  const { sampleWeight, epsilon = 1e-2, tolerance = 2e-2, autodiffTolerance = 1e-3 } = options;
  const g = loss.grad(yTrue, yPred, sampleWeight);
  expect(g.shape, `${loss.className} grad shape`).toEqual(yPred.shape);
  const analytic = await g.data();
  g.dispose();

  const auto = tf.grad((p: tf.Tensor) => loss.value(yTrue, p, sampleWeight))(yPred);
  const autoData = await auto.data();
  auto.dispose();
  expect(worstRelError(analytic, autoData), `${loss.className} grad against autodiff`).toBeLessThan(autodiffTolerance);

  const base = Float32Array.from(await yPred.data());
  const numeric = new Float32Array(base.length);
  const valueAt = async (data: Float32Array) => {
    const p = tf.tensor(data, yPred.shape, 'float32');
    const v = loss.value(yTrue, p, sampleWeight);
    const out = (await v.data())[0] as number;
    tf.dispose([p, v]);
    return out;
  };
  for (let i = 0; i < base.length; i++) {
    const probe = Float32Array.from(base);
    probe[i] = (base[i] as number) + epsilon;
    const plus = await valueAt(probe);
    probe[i] = (base[i] as number) - epsilon;
    const minus = await valueAt(probe);
    numeric[i] = (plus - minus) / (2 * epsilon);
  }
  expect(worstRelError(analytic, numeric), `${loss.className} grad against finite differences`).toBeLessThan(tolerance);
}

/** Keras' "sum over batch size" of an oracle's per-example losses [N]: Σ wᵢ·lᵢ / N. */
export function sumOverBatch(perExample: tf.Tensor, sampleWeight?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const weighted = sampleWeight ? tf.mul(perExample, sampleWeight) : perExample;
    return tf.div(tf.sum(weighted), perExample.size) as tf.Scalar;
  });
}

/** Every entry of `actual` within `tolerance`·max(1, |expected|) of `expected`; disposes nothing. */
export async function expectTensorClose(
  actual: tf.Tensor,
  expected: tf.Tensor | number[],
  tolerance = 1e-5,
  what = 'value',
): Promise<void> {
  const a = await actual.data();
  const b = Array.isArray(expected) ? expected : Array.from(await expected.data());
  expect(a.length, `${what}: number of entries`).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const want = b[i] as number;
    expect(Math.abs((a[i] as number) - want), `${what}[${i}]: ${a[i]} against ${want}`).toBeLessThanOrEqual(
      tolerance * Math.max(1, Math.abs(want)),
    );
  }
}

/**
 * Keras' own criterion for its golden values (`assertAlmostEqual`, numpy's decimal rule): every entry
 * within 1.5·10^-decimal of `expected`, decimal 3 unless told. For values Keras' tests state rounded.
 */
export async function expectKerasClose(
  actual: tf.Tensor,
  expected: number[],
  decimal = 3,
  what = 'value',
): Promise<void> {
  const a = await actual.data();
  expect(a.length, `${what}: number of entries`).toBe(expected.length);
  for (let i = 0; i < a.length; i++) {
    const want = expected[i] as number;
    expect(Math.abs((a[i] as number) - want), `${what}[${i}]: ${a[i]} against Keras' ${want}`).toBeLessThan(
      1.5 * 10 ** -decimal,
    );
  }
}
