import { expectNoLeak } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { makeRegularizer, type RegularizerConfig } from './regularizers.js';

const W = [0.5, -1.5, 2, -0.25, 0.75, -3];

const cases: [string, RegularizerConfig, number, number][] = [
  ["'l1' (Keras default 0.01)", 'l1', 0.01, 0],
  ["'l2' (Keras default 0.01)", 'l2', 0, 0.01],
  ["'l1_l2' (Keras' documented string defaults, 0.01 each)", 'l1_l2', 0.01, 0.01],
  ['L1 with l1 0.1', { className: 'L1', config: { l1: 0.1 } }, 0.1, 0],
  ['L2 with l2 0.2', { className: 'L2', config: { l2: 0.2 } }, 0, 0.2],
  ['L1L2 with both', { className: 'L1L2', config: { l1: 0.05, l2: 0.3 } }, 0.05, 0.3],
  ['L1L2 with the defaults (no penalty)', { className: 'L1L2', config: {} }, 0, 0],
];

describe('regularizers', () => {
  for (const [label, spec, l1, l2] of cases) {
    test(`${label}: value is l1·Σ|w| + l2·Σw²`, async () => {
      const reg = makeRegularizer(spec);
      expect([reg.l1, reg.l2]).toEqual([l1, l2]);
      const w = tf.tensor2d(W, [2, 3]);
      const value = reg.value(w);
      const expected = W.reduce((s, v) => s + l1 * Math.abs(v) + l2 * v * v, 0);
      expect((await value.data())[0]).toBeCloseTo(expected, 5);
      tf.dispose([w, value]);
    });

    test(`${label}: grad matches autodiff of the value`, async () => {
      const reg = makeRegularizer(spec);
      const w = tf.tensor2d(W, [2, 3]);
      const grad = reg.grad(w);
      // With no penalty the value does not depend on w, which tfjs autodiff refuses: its gradient is 0.
      const auto = l1 || l2 ? tf.grad((t: tf.Tensor) => reg.value(t))(w) : tf.zerosLike(w);
      const got = await grad.data();
      const want = await auto.data();
      got.forEach((g, i) => {
        expect(g).toBeCloseTo(want[i] as number, 5);
      });
      tf.dispose([w, grad, auto]);
    });
  }

  test('leaks no tensor', async () => {
    const reg = makeRegularizer({ className: 'L1L2', config: { l1: 0.1, l2: 0.1 } });
    const w = tf.ones([3, 3]);
    await expectNoLeak(() => tf.dispose([reg.value(w), reg.grad(w)]));
    w.dispose();
  });
});
