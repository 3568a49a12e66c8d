import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Nadam } from './nadam.js';

describe('Nadam', () => {
  test('has the Keras 3 defaults', () => {
    expect(new Nadam().config).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  });

  test('keeps no slot for the momentum schedule: a state taken back to an earlier step resumes it there', async () => {
    const w = tf.variable(tf.tensor1d([1, -1]));
    const step = (opt: Nadam, k: number) => {
      const g = tf.tensor1d([Math.cos(k), Math.sin(k) + 0.5]);
      opt.apply([w], [g]);
      g.dispose();
    };
    const opt = new Nadam({ learningRate: 0.1, beta1: 0.5 });
    for (let k = 0; k < 2; k++) step(opt, k);
    const early = await opt.getState();
    expect(Object.keys(early.slots[w.name] ?? {}).sort()).toEqual(['momentum', 'velocity']);
    const saved = Array.from(await w.data());
    for (let k = 2; k < 6; k++) step(opt, k);

    // The same instance, rewound to step 2, and a fresh one from the same state take the same step.
    const fresh = new Nadam({ learningRate: 0.1, beta1: 0.5 });
    const results: number[][] = [];
    for (const o of [opt, fresh]) {
      tf.tidy(() => w.assign(tf.tensor1d(saved)));
      o.setState(early, [w]);
      step(o, 2);
      results.push(Array.from(await w.data()));
    }
    expect(results[0]).toEqual(results[1]);
    tf.dispose(w);
    opt.dispose();
    fresh.dispose();
  });
});
