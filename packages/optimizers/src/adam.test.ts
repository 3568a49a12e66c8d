import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';

async function singleStep(opt: Adam | AdamW): Promise<number[]> {
  const w = tf.variable(tf.tensor1d([1, 2, 3, 4]));
  const g = tf.tensor1d([1, 6, 7, 2]);
  opt.apply([w], [g]);
  const out = Array.from(await w.data());
  tf.dispose([w, g]);
  opt.dispose();
  return out;
}

function expectClose(actual: number[], expected: number[]) {
  for (const [i, a] of actual.entries()) expect(a).toBeCloseTo(expected[i] as number, 4);
}

describe('Adam', () => {
  test('matches the Keras golden step: lr 0.5, grads [1, 6, 7, 2] move [1, 2, 3, 4] to [0.5, 1.5, 2.5, 3.5]', async () => {
    expectClose(await singleStep(new Adam({ learningRate: 0.5 })), [0.5, 1.5, 2.5, 3.5]);
  });

  test('has the Keras 3 defaults', () => {
    expect(new Adam().config).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false });
  });

  test('rejects a beta outside [0, 1) naming the field', () => {
    expect(() => new Adam({ beta1: 1.5 })).toThrow('Adam: beta1 must be in [0, 1), received 1.5');
  });
});

describe('AdamW', () => {
  test('decays weights by lr·0.004 by default: the Keras golden step gives [0.498, 1.496, 2.494, 3.492]', async () => {
    const adamw = new AdamW({ learningRate: 0.5 });
    expect(adamw.config.weightDecay).toBe(0.004);
    expectClose(await singleStep(adamw), [0.498, 1.496, 2.494, 3.492]);
  });
});
