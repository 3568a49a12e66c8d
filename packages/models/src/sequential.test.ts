import { BrickError, setSeed } from '@brickml/core';
import { Dense } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Sequential } from './sequential.js';

const mlp = (name = 'mlp') =>
  new Sequential({
    name,
    inputShape: [4],
    layers: [
      new Dense({ name: `${name}_hidden`, units: 3, activation: 'relu' }),
      new Dense({ name: `${name}_out`, units: 2 }),
    ],
  });

describe('Sequential', () => {
  test('builds each brick from the previous output shape', () => {
    const model = mlp();
    expect(model.outputShape).toEqual([2]);
    expect(model.layers.map((l) => l.inputShape)).toEqual([[4], [3]]);
    expect(model.countParams()).toBe(4 * 3 + 3 + 3 * 2 + 2);
    model.dispose();
  });

  test('add() builds lazily without an input shape, then on first data', () => {
    const model = new Sequential({ name: 'lazy' }).add(new Dense({ units: 5 }));
    expect(model.built).toBe(false);
    const y = model.predict([[1, 2, 3]]);
    expect(y.shape).toEqual([1, 5]);
    expect(model.inputShape).toEqual([3]);
    y.dispose();
    model.dispose();
  });

  test('a shape mismatch names the brick and both shapes before any data flows', () => {
    const built = new Dense({ name: 'prebuilt', units: 2 });
    built.build([7]);
    expect(
      () => new Sequential({ name: 's', inputShape: [4], layers: [new Dense({ name: 'a', units: 3 }), built] }),
    ).toThrow("Sequential 's': layer 1 Dense 'prebuilt' expects input [null, 7], but Dense 'a' gives [null, 3]");
    built.dispose();
  });

  test('rejects two bricks with the same name', () => {
    expect(
      () =>
        new Sequential({
          name: 'dup',
          layers: [new Dense({ name: 'd', units: 1 }), new Dense({ name: 'd', units: 1 })],
        }),
    ).toThrow("Sequential 'dup': layer names must be unique, 'd' is already in the model");
  });

  test('summary prints a Keras-like table and returns it', () => {
    const model = mlp('small');
    const printed: string[] = [];
    const text = model.summary((t) => printed.push(t));
    expect(printed).toEqual([text]);
    expect(text).toBe(
      [
        'Model: "small"',
        '_'.repeat(65),
        ' Layer (type)                 Output Shape              Param #',
        '='.repeat(65),
        ' small_hidden (Dense)         (None, 3)                 15',
        '',
        ' small_out (Dense)            (None, 2)                 8',
        '='.repeat(65),
        'Total params: 23',
        'Trainable params: 23',
        'Non-trainable params: 0',
        '_'.repeat(65),
      ].join('\n'),
    );
    model.dispose();
  });

  test('spec and weights round-trip to a model with the same outputs', async () => {
    setSeed(3);
    const model = mlp('trip');
    const spec = JSON.parse(JSON.stringify(model.toSpec()));
    expect(spec).toMatchObject({ format: 'brickml.model', version: 1, className: 'Sequential' });
    expect(spec.config.inputShape).toEqual([4]);
    const again = Sequential.fromSpec(spec);
    expect(again.toSpec()).toEqual(spec);
    const weights = model.getWeights();
    again.setWeights(weights);
    tf.dispose(weights);
    const x = tf.tensor2d([
      [1, -2, 3, 0.5],
      [0, 1, -1, 2],
    ]);
    const [a, b] = [model.predict(x), again.predict(x)];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    model.dispose();
    again.dispose();
  });

  test('fromSpec errors carry the path of the bad field', () => {
    const spec = {
      format: 'brickml.model',
      version: 1,
      className: 'Sequential',
      config: {
        name: 'bad',
        inputShape: [4],
        layers: [
          { className: 'Dense', config: { units: 2 } },
          { className: 'Dense', config: { units: 0 } },
        ],
      },
    };
    expect(() => Sequential.fromSpec(spec)).toThrowError(BrickError);
    expect(() => Sequential.fromSpec(spec)).toThrow(
      'config.layers[1].config.units must be a positive integer, received 0',
    );
    expect(() => Sequential.fromSpec({ ...spec, format: 'keras' })).toThrow('format');
  });

  test('setWeights checks the count and each shape', () => {
    const model = mlp('w');
    const weights = model.getWeights();
    expect(weights.map((w) => w.shape)).toEqual([[4, 3], [3], [3, 2], [2]]);
    expect(() => model.setWeights(weights.slice(1))).toThrow(
      "Sequential 'w'.setWeights: expected 4 tensors, received 3",
    );
    const wrong = [tf.zeros([4, 4]), ...weights.slice(1)];
    expect(() => model.setWeights(wrong)).toThrow('must have shape [4, 3], received [4, 4]');
    tf.dispose([...weights, wrong[0] as tf.Tensor]);
    model.dispose();
  });
});
