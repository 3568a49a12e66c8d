/**
 * Writing .keras files: brickml models of many bricks go to .keras and back with identical predictions, and a
 * written file matches a real Keras 3 file of the same model field by field (config.json, metadata.json,
 * the HDF5 tree: groups, datasets, shapes, dtypes, attributes).
 */
import { readFileSync } from 'node:fs';
import {
  Add,
  BatchNormalization,
  Bidirectional,
  Concatenate,
  Conv2D,
  Dense,
  DepthwiseConv2D,
  Dropout,
  Embedding,
  Flatten,
  GRU,
  input,
  LayerNormalization,
  LSTM,
  MaxPooling2D,
  SeparableConv2D,
  SimpleRNN,
  type SymbolicTensor,
  TimeDistributed,
} from '@brickml/layers';
import { expectNoLeak } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { Model, Sequential } from '../../index.js';
import { type H5Tree, readH5 } from './h5.js';
import { isKerasFile, modelFromKerasFile, modelToKerasFile } from './index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}.keras`, import.meta.url)));

/** Writes the model, reads it back, and checks that both predict the same numbers for x. */
async function expectRoundTrip(model: Model, x: tf.Tensor) {
  const bytes = await modelToKerasFile(model);
  expect(isKerasFile(bytes)).toBe(true);
  const copy = await modelFromKerasFile('copy', bytes);
  const [a, b] = [model.predict(x) as tf.Tensor, copy.predict(x) as tf.Tensor];
  expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
  expect(copy.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
  tf.dispose([a, b, x]);
  copy.dispose();
  model.dispose();
}

/** Batch-normalization statistics away from their initial values, so the round trip carries them. */
function randomizeWeights(model: Model) {
  tf.tidy(() => {
    for (const w of [...model.trainableVariables(), ...model.stateVariables()]) {
      w.assign(tf.add(tf.randomUniform(w.shape, 0.1, 0.9, 'float32', 7), 0));
    }
  });
}

const ramp = (shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Array.from({ length: n }, (_, i) => Math.cos(i * 0.37)),
    shape,
  );
};

describe('.keras round trip', () => {
  test('convolution bricks: predictions identical after writing and reading back', async () => {
    const model = new Sequential({
      name: 'convs',
      inputShape: [8, 8, 3],
      layers: [
        new Conv2D({ filters: 4, kernelSize: 3, activation: 'relu' }),
        new BatchNormalization({}),
        new DepthwiseConv2D({ kernelSize: 3, padding: 'same' }),
        new SeparableConv2D({ filters: 5, kernelSize: 3 }),
        new MaxPooling2D({ poolSize: 2 }),
        new Dropout({ rate: 0.3 }),
        new Flatten({}),
        new LayerNormalization({}),
        new Dense({ units: 3, activation: 'softmax' }),
      ],
    });
    randomizeWeights(model);
    await expectRoundTrip(model, ramp([2, 8, 8, 3]));
  });

  test('sequence bricks: predictions identical after writing and reading back', async () => {
    const model = new Sequential({
      name: 'sequences',
      inputShape: [6],
      layers: [
        new Embedding({ inputDim: 10, outputDim: 4 }),
        new Bidirectional({ layer: { className: 'LSTM', config: { units: 3, returnSequences: true } } }),
        new GRU({ units: 3, returnSequences: true }),
        new SimpleRNN({ units: 2, returnSequences: true }),
        new TimeDistributed({ layer: { className: 'Dense', config: { units: 2 } } }),
        new LSTM({ units: 2 }),
      ],
    });
    randomizeWeights(model);
    await expectRoundTrip(model, tf.tensor2d([1, 2, 3, 4, 5, 6, 9, 8, 7, 0, 1, 2], [2, 6]));
  });

  test('a functional model with two inputs, merges and a shared brick: predictions identical', async () => {
    const a = input({ shape: [4], name: 'a' });
    const b = input({ shape: [4], name: 'b' });
    const shared = new Dense({ name: 'shared', units: 3, activation: 'tanh' });
    const sa = shared.apply(a) as SymbolicTensor;
    const sb = shared.apply(b) as SymbolicTensor;
    const merged = new Concatenate({}).apply([new Add({}).apply([sa, sb]) as SymbolicTensor, sa]);
    const model = new Model({
      inputs: [a, b],
      outputs: new Dense({ units: 2 }).apply(merged as SymbolicTensor),
      name: 'two',
    });
    randomizeWeights(model);
    const bytes = await modelToKerasFile(model);
    const copy = await modelFromKerasFile('copy', bytes);
    const xs = [ramp([3, 4]), tf.reverse(ramp([3, 4]))];
    const [p, q] = [model.predict(xs) as tf.Tensor, copy.predict(xs) as tf.Tensor];
    expect(Array.from(await q.data())).toEqual(Array.from(await p.data()));
    tf.dispose([p, q, ...xs]);
    copy.dispose();
    model.dispose();
  });

  test('writing and reading leave no tensor behind', async () => {
    const model = new Sequential({ inputShape: [3], layers: [new Dense({ units: 2 })] });
    await expectNoLeak(async () => {
      const copy = await modelFromKerasFile('copy', await modelToKerasFile(model));
      copy.dispose();
    });
    model.dispose();
  });
});

/** Every leaf of a JSON value by path, for a field-by-field comparison. */
function leaves(v: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof v === 'object' && v !== null && !(Array.isArray(v) && v.every((e) => typeof e !== 'object'))) {
    for (const [k, e] of Object.entries(v)) leaves(e, path ? `${path}.${k}` : k, out);
  } else out.set(path, v);
  return out;
}

/** The tree without the optimizer's variables: groups with their attributes, datasets with shape and dtype. */
const structure = (tree: H5Tree) => ({
  groups: Object.fromEntries([...tree.groups].sort()),
  datasets: Object.fromEntries(
    [...tree.datasets]
      .filter(([p]) => !p.startsWith('optimizer/vars/'))
      .sort()
      .map(([p, d]) => [p, { shape: d.shape, dtype: d.dtype, attrs: d.attrs }]),
  ),
});

describe('a written file beside a real Keras 3 file of the same model', () => {
  /** The xor fixture's model as brickml builds it: same names, sizes, activations and compile settings. */
  async function written() {
    const model = new Sequential({
      name: 'sequential_5',
      inputShape: [2],
      layers: [
        new Dense({ name: 'dense_10', units: 4, activation: 'tanh' }),
        new Dense({ name: 'dense_11', units: 1, activation: 'sigmoid' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const bytes = await modelToKerasFile(model);
    model.dispose();
    return unzipSync(bytes);
  }
  const real = () => unzipSync(fixture('xor-sequential-dense'));
  const json = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

  test('the zip holds the same entries in the same order, stored uncompressed', async () => {
    const mine = await written();
    expect(Object.keys(mine)).toEqual(Object.keys(real()));
  });

  test('metadata.json has the same fields', async () => {
    const [mine, theirs] = [json((await written())['metadata.json']), json(real()['metadata.json'])];
    expect(Object.keys(mine)).toEqual(Object.keys(theirs));
    expect(mine.date_saved).toMatch(/^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/);
  });

  test('config.json matches field by field, but for the documented differences', async () => {
    const mine = leaves(json((await written())['config.json']));
    const theirs = leaves(json(real()['config.json']));
    const differ = [...new Set([...mine.keys(), ...theirs.keys()])].filter((k) => {
      const [a, b] = [mine.get(k), theirs.get(k)];
      // Keras keeps the learning rate as float32 (0.0010000000474974513).
      if (typeof a === 'number' && typeof b === 'number') return Math.fround(a) !== Math.fround(b);
      return JSON.stringify(a) !== JSON.stringify(b);
    });
    expect(differ.sort()).toEqual(
      [
        // Keras' bookkeeping of Python objects serialized twice (ObjectSharingScope); its loader needs none.
        'config.dtype.shared_object_id',
        'config.layers.2.config.dtype.shared_object_id',
        // Keras auto-names the InputLayer (input_layer_5); brickml has no InputLayer brick and names it after the model.
        'config.layers.0.config.name',
        // The file's model was compiled with loss='binary_crossentropy' (a string); brickml writes the loss object.
        'compile_config.loss',
        'compile_config.loss.class_name',
        'compile_config.loss.config.from_logits',
        'compile_config.loss.config.label_smoothing',
        'compile_config.loss.config.name',
        'compile_config.loss.config.reduction',
        'compile_config.loss.module',
        'compile_config.loss.registered_name',
      ].sort(),
    );
  });

  test('model.weights.h5 has the same groups, attributes, datasets, shapes and dtypes', async () => {
    const mine = await readH5('mine', (await written())['model.weights.h5'] as Uint8Array);
    const theirs = await readH5('theirs', real()['model.weights.h5'] as Uint8Array);
    expect(structure(mine)).toEqual(structure(theirs));
  });

  test('an LSTM sits under its cell, as in a real Keras 3 file', async () => {
    const model = new Sequential({
      name: 'sequential_10',
      inputShape: [12],
      layers: [
        new (await import('@brickml/layers')).Reshape({ name: 'reshape', targetShape: [3, 4] }),
        new LSTM({ name: 'lstm', units: 16 }),
        new Dense({ name: 'dense1', units: 32 }),
        new Dense({ name: 'output', units: 4 }),
      ],
    });
    const mine = await readH5('mine', unzipSync(await modelToKerasFile(model))['model.weights.h5'] as Uint8Array);
    model.dispose();
    const theirs = await readH5('theirs', unzipSync(fixture('emg-reshape-lstm'))['model.weights.h5'] as Uint8Array);
    const layersOnly = (t: H5Tree) => {
      const s = structure(t);
      const keep = (p: string) => p.startsWith('layers') || p === '' || p === 'vars';
      return {
        groups: Object.fromEntries(Object.entries(s.groups).filter(([p]) => keep(p))),
        datasets: Object.fromEntries(Object.entries(s.datasets).filter(([p]) => keep(p))),
      };
    };
    expect(layersOnly(mine)).toEqual(layersOnly(theirs));
  });
});
