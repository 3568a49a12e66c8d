/**
 * Masks and extra outputs through the executors, with two small bricks of this file: MaskNonZero (marks
 * the steps whose first feature is not 0, like Masking) and WithState (returns y and an extra output).
 */
import { type Shape, setSeed } from '@brickml/core';
import {
  Activation,
  BaseLayer,
  baseConfig,
  Dense,
  Dropout,
  Embedding,
  Flatten,
  type ForwardOptions,
  input,
  LayerNormalization,
  LSTM,
} from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { Model } from './model.js';
import { Sequential } from './sequential.js';

const Config = z.strictObject({ ...baseConfig });

class MaskNonZero extends BaseLayer<typeof Config> {
  readonly supportsMasking = true;
  constructor(config: z.input<typeof Config> = {}) {
    super('MaskNonZero', Config, config);
  }
  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }
  computeMask(x: tf.Tensor): tf.Tensor {
    return tf.notEqual(tf.squeeze(tf.slice(x, [0, 0, 0], [-1, -1, 1]), [2]), 0);
  }
  forward(x: tf.Tensor, _opts?: ForwardOptions) {
    return { y: tf.clone(x), cache: {} };
  }
  backward(dy: tf.Tensor) {
    return { dx: tf.clone(dy), grads: {} };
  }
}

/** y = 2x, and an extra output s = Σ_t x (per example, no time axis). */
class WithState extends BaseLayer<typeof Config, Record<string, never>, unknown, SymbolicTensorPair> {
  constructor(config: z.input<typeof Config> = {}) {
    super('WithState', Config, config);
  }
  get extraOutputShapes(): Shape[] {
    return this.built ? [[this.inputShape[1] as number]] : [];
  }
  protected setup(inputShape: Shape): Shape {
    return inputShape;
  }
  forward(x: tf.Tensor, _opts?: ForwardOptions) {
    return { y: tf.mul(x, 2), cache: { shape: x.shape }, extra: [tf.sum(x, 1)] };
  }
  backward(dy: tf.Tensor, cache: unknown, dExtra?: readonly (tf.Tensor | null)[]) {
    const { shape } = cache as { shape: number[] };
    let dx = tf.mul(dy, 2);
    const ds = dExtra?.[0];
    if (ds) dx = tf.add(dx, tf.broadcastTo(tf.expandDims(ds, 1), shape));
    return { dx, grads: {} };
  }
}
type SymbolicTensorPair = ReturnType<typeof input>[];

describe('masks', () => {
  test('flow from the brick that makes them to the loss, which then averages over the kept steps only', async () => {
    setSeed(1);
    const x = input({ shape: [null, 2] });
    const y = new Dense({ units: 1, name: 'per_step' }).apply(new MaskNonZero().apply(x));
    const model = new Model({ inputs: x, outputs: y });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    // The last step of each sequence is padding (first feature 0); its target is wildly off.
    const xs = tf.tensor3d([1, 1, 2, 0.5, 0, 0, -1, 2, 1, 1, 0, 3], [2, 3, 2]);
    const ys = tf.tensor3d([0.5, -1, 100, 1, 0.2, -100], [2, 3, 1]);
    const logs = await model.evaluate(xs, ys);
    const p = model.predict(xs) as tf.Tensor;
    const pred = await p.data();
    const kept = [0, 1, 3, 4];
    const target = [0.5, -1, 100, 1, 0.2, -100];
    const mse = kept.reduce((s, i) => s + ((pred[i] as number) - (target[i] as number)) ** 2, 0) / kept.length;
    expect(logs.loss).toBeCloseTo(mse, 4);
    tf.dispose([xs, ys, p]);
    model.dispose();
  });

  test('pass through the per-step bricks Keras lets them through (Dropout, activations, LayerNormalization)', async () => {
    setSeed(4);
    const model = new Sequential({
      inputShape: [null],
      layers: [
        new Embedding({ inputDim: 10, outputDim: 3, maskZero: true }),
        new Dropout({ rate: 0.2 }),
        new LayerNormalization(),
        new Activation({ activation: 'tanh' }),
        new LSTM({ units: 2 }),
        new Dense({ units: 1 }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const ids = tf.tensor2d([
      [3, 4, 0, 0],
      [5, 0, 0, 0],
    ]);
    const logs = await model.trainOnBatch(ids, tf.ones([2, 1]));
    expect(Number.isFinite(logs.loss)).toBe(true);
    // Padded steps change nothing: the same sequences padded further give the same predictions.
    const a = model.predict(ids);
    const longer = tf.tensor2d([
      [3, 4, 0, 0, 0, 0],
      [5, 0, 0, 0, 0, 0],
    ]);
    const b = model.predict(longer);
    for (let i = 0; i < 2; i++) expect((await a.data())[i]).toBeCloseTo((await b.data())[i] as number, 6);
    tf.dispose([ids, longer, a, b]);
    model.dispose();
  });

  test('a brick that does not support masking refuses one by name', () => {
    const model = new Sequential({
      name: 'no_mask',
      inputShape: [3, 2],
      layers: [new MaskNonZero(), new Flatten({ name: 'flat' })],
    });
    const xs = tf.ones([1, 3, 2]);
    expect(() => model.predict(xs)).toThrow("Flatten 'flat' cannot take a mask");
    xs.dispose();
    model.dispose();
  });
});

describe('extra outputs', () => {
  test('feed other bricks and get their gradients back', async () => {
    setSeed(2);
    const x = input({ shape: [3, 2] });
    const [y, s] = new WithState({ name: 'ws' }).apply(x) as SymbolicTensorPair;
    const head = new Dense({ units: 1, name: 'head' }).apply(s as never);
    const model = new Model({ inputs: x, outputs: [y as never, head] });
    expect(model.outputShapes).toEqual([[3, 2], [1]]);
    const xs = tf.randomNormal([2, 3, 2], 0, 1, 'float32', 3);
    const r = tf.ones([2, 1]);
    const { dxs } = tf.tidy(() => {
      const { tape } = model.executor.forward([xs], { training: false });
      // Only the extra output's branch sends a gradient: dy of y is zeros.
      const back = model.executor.backward([null, { dy: r }], tape, { inputGrads: true });
      return { dxs: back.dxs as tf.Tensor[] };
    });
    const kernel = await (model.getLayer('head') as Dense).params.kernel.data();
    const dx = await (dxs[0] as tf.Tensor).data();
    // d(Σ_t x · W)/dx = W broadcast over time.
    for (let i = 0; i < dx.length; i++) expect(dx[i]).toBeCloseTo(kernel[i % 2] as number, 5);
    tf.dispose([xs, r, ...dxs]);
    model.dispose();
  });

  test('Sequential refuses a brick of several outputs', () => {
    const model = new Sequential({ name: 'line2', inputShape: [3, 2] });
    expect(() => model.add(new WithState({ name: 'st' }))).toThrow(
      "Sequential 'line2': WithState 'st' has several outputs (returnState); wire it in a functional Model",
    );
  });
});
