import { BrickError } from '@brickml/core';
import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { AdamW } from './adamw.js';
import { Lion } from './lion.js';
import { Nadam } from './nadam.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { ExponentialDecay } from './schedules.js';
import { SGD } from './sgd.js';

/** One SGD-style step from zeros: returns the new weights of each variable. */
async function stepFrom(opt: Optimizer, weights: number[][], grads: number[][]): Promise<number[][]> {
  const ws = weights.map((w) => tf.variable(tf.tensor1d(w)));
  const gs = grads.map((g) => tf.tensor1d(g));
  opt.apply(ws, gs);
  const out = await Promise.all(ws.map(async (w) => Array.from(await w.data())));
  tf.dispose([...ws, ...gs]);
  opt.dispose();
  return out;
}

function expectClose(actual: number[][], expected: number[][]) {
  expect(actual.length).toBe(expected.length);
  for (const [j, a] of actual.entries()) {
    for (const [i, x] of a.entries()) expect(x).toBeCloseTo(expected[j]?.[i] as number, 5);
  }
}

describe('BaseOptimizer', () => {
  forEachBackend(() => {
    test('clipNorm rescales each gradient to at most that L2 norm', async () => {
      const out = await stepFrom(new SGD({ learningRate: 1, clipNorm: 1 }), [[0, 0], [0]], [[100, 100], [0.5]]);
      expectClose(out, [[-Math.SQRT1_2, -Math.SQRT1_2], [-0.5]]);
    });

    test('clipValue clamps every gradient entry', async () => {
      const out = await stepFrom(new SGD({ learningRate: 1, clipValue: 1 }), [[0, 0, 0]], [[100, -3, 0.25]]);
      expectClose(out, [[-1, 1, -0.25]]);
    });

    test('globalClipNorm rescales all gradients by one factor', async () => {
      const out = await stepFrom(new SGD({ learningRate: 1, globalClipNorm: 1 }), [[0, 0], [0]], [[3, 0], [4]]);
      expectClose(out, [[-0.6, 0], [-0.8]]);
      const small = await stepFrom(new SGD({ learningRate: 1, globalClipNorm: 10 }), [[0, 0], [0]], [[3, 0], [4]]);
      expectClose(small, [[-3, 0], [-4]]);
    });

    test('weightDecay shrinks weights by lr·wd before the update (decoupled, as Keras 3)', async () => {
      const out = await stepFrom(new SGD({ learningRate: 0.1, weightDecay: 0.5 }), [[2, -4]], [[1, 1]]);
      // w·(1 - 0.1·0.5) - 0.1·g
      expectClose(out, [[2 * 0.95 - 0.1, -4 * 0.95 - 0.1]]);
    });

    test('leaks no tensor over steps once the slots exist, inside or outside a tidy', async () => {
      const w = [tf.variable(tf.ones([2, 2])), tf.variable(tf.ones([3]))];
      const g = [tf.fill([2, 2], 0.5), tf.fill([3], -2)];
      for (const opt of [
        new Adam({ amsgrad: true, globalClipNorm: 1 }),
        new AdamW({ clipNorm: 0.5 }),
        new RMSprop({ centered: true, momentum: 0.9, clipValue: 0.1 }),
        new SGD({ momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
        new Adagrad({ clipNorm: 1 }),
        new Adadelta({ weightDecay: 0.01 }),
        new Adamax({ globalClipNorm: 1 }),
        new Nadam({ clipValue: 0.1 }),
        new Lion({ weightDecay: 0.01 }),
      ]) {
        // The first step, inside a tidy, creates the slots: they must outlive it.
        await expectNoLeak(() => tf.tidy(() => opt.apply(w, g)));
        await expectNoLeak(() => opt.apply(w, g));
        const before = tf.memory().numTensors;
        opt.dispose();
        expect(tf.memory().numTensors).toBeLessThan(before);
      }
      tf.dispose([...w, ...g]);
    });
  });

  test('a schedule sets each step’s learning rate from the step count, weight decay included', async () => {
    const schedule = new ExponentialDecay({ initialLearningRate: 0.5, decaySteps: 1, decayRate: 0.5 });
    const sgd = new SGD({ learningRate: schedule, weightDecay: 0.2 });
    const w = tf.variable(tf.tensor1d([1]));
    const g = tf.tensor1d([1]);
    let expected = 1;
    for (let k = 0; k < 3; k++) {
      expect(sgd.currentLearningRate()).toBeCloseTo(0.5 * 0.5 ** k, 10);
      sgd.apply([w], [g]);
      const lr = 0.5 * 0.5 ** k;
      expected = expected * (1 - lr * 0.2) - lr;
    }
    expect(sgd.iterations).toBe(3);
    expect((await w.data())[0]).toBeCloseTo(expected, 6);
    sgd.setLearningRate(0.01);
    expect(sgd.currentLearningRate()).toBe(0.01);
    expect(sgd.config.learningRate).toBe(0.01);
    tf.dispose([w, g]);
  });

  const ROUND_TRIPS: [string, () => Optimizer][] = [
    ['SGD', () => new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true })],
    ['RMSprop', () => new RMSprop({ learningRate: 0.1, momentum: 0.5, centered: true })],
    ['Adam', () => new Adam({ learningRate: 0.1, amsgrad: true })],
    ['AdamW', () => new AdamW({ learningRate: 0.1 })],
    ['Adagrad', () => new Adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.2 })],
    ['Adadelta', () => new Adadelta({ learningRate: 1, rho: 0.8 })],
    ['Adamax', () => new Adamax({ learningRate: 0.1 })],
    ['Nadam', () => new Nadam({ learningRate: 0.1 })],
    ['Lion', () => new Lion({ learningRate: 0.1, weightDecay: 0.01 })],
  ];

  for (const [name, make] of ROUND_TRIPS) {
    test(`${name} state round-trips: a new optimizer given getState takes the same next step`, async () => {
      const w = tf.variable(tf.tensor2d([0.5, -1, 2, 0.1], [2, 2]));
      const b = tf.variable(tf.tensor1d([0.3, -0.2]));
      const grads = (k: number) => [tf.fill([2, 2], 0.3 + k), tf.tensor1d([-1, k])];
      const step = (opt: Optimizer, k: number) => {
        const gs = grads(k);
        opt.apply([w, b], gs);
        tf.dispose(gs);
      };
      const a = make();
      for (let k = 0; k < 3; k++) step(a, k);
      const state = JSON.parse(JSON.stringify(await a.getState()));
      const saved = [await w.data(), await b.data()].map((d) => Array.from(d));
      step(a, 3);
      const afterA = [Array.from(await w.data()), Array.from(await b.data())];

      tf.tidy(() => {
        w.assign(tf.tensor2d(saved[0] as number[], [2, 2]));
        b.assign(tf.tensor1d(saved[1] as number[]));
      });
      const restored = make();
      restored.setState(state, [w, b]);
      expect(restored.iterations).toBe(3);
      step(restored, 3);
      expect([Array.from(await w.data()), Array.from(await b.data())]).toEqual(afterA);
      expect(await restored.getState()).toEqual(await a.getState());
      tf.dispose([w, b]);
      a.dispose();
      restored.dispose();
    });
  }

  test('setState refuses a slot whose shape differs, naming the variable and both shapes', async () => {
    const w = tf.variable(tf.zeros([2, 2]));
    const opt = new SGD({ momentum: 0.9 });
    const state = {
      className: 'SGD',
      iterations: 1,
      slots: { [w.name]: { momentum: { shape: [3], values: [0, 0, 0] } } },
    };
    expect(() => opt.setState(state, [w])).toThrowError(BrickError);
    expect(() => opt.setState(state, [w])).toThrow(
      `SGD.setState: slot 'momentum' of variable '${w.name}' has shape [3], the variable has shape [2, 2]`,
    );
    expect(() => opt.setState({ ...state, className: 'Adam' }, [w])).toThrow('the state is from Adam, not SGD');
    expect(() => opt.setState({ ...state, slots: { other: {} } }, [w])).toThrow("variable 'other'");
    w.dispose();
  });

  test('apply refuses a gradient of the wrong shape, naming the variable and both shapes', () => {
    const w = tf.variable(tf.zeros([2, 3]), true, 'dense_test/kernel');
    const g = tf.zeros([3, 2]);
    expect(() => new Adam().apply([w], [g])).toThrow(
      "Adam.apply: the gradient for 'dense_test/kernel' has shape [3, 2], the variable has shape [2, 3]",
    );
    expect(() => new Adam().apply([w], [])).toThrow('Adam.apply: got 1 variables but 0 gradients');
    tf.dispose([w, g]);
  });

  test('refuses more than one clipping option, as Keras does', () => {
    expect(() => new SGD({ clipNorm: 1, clipValue: 0.5 })).toThrow(
      'SGD: only one of clipNorm, clipValue and globalClipNorm can be set, received clipNorm=1, clipValue=0.5',
    );
  });
});
