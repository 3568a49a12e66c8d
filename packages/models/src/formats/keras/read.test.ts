/**
 * Reading .keras files Keras 3 wrote (fixtures/README.md names their origin). Each model's predictions are
 * compared with the same network computed here with plain tfjs ops from the file's raw weights, read with
 * fflate and h5wasm directly.
 */
import { readFileSync } from 'node:fs';
import { expectNoLeak } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { unzipSync } from 'fflate';
import h5wasm from 'h5wasm';
import { describe, expect, test } from 'vitest';
import type { Model } from '../../model.js';
import { isKerasFile, modelFromKerasFile } from './index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}.keras`, import.meta.url)));

// biome-ignore lint/suspicious/noExplicitAny: JSON read from a file, indexed freely by the test.
type Json = Record<string, any>;

/** config.json and every dataset of model.weights.h5 by path, read without brickml. */
async function raw(name: string): Promise<{ config: Json; weights: Map<string, tf.Tensor> }> {
  const files = unzipSync(fixture(name));
  const config = JSON.parse(new TextDecoder().decode(files['config.json']));
  const { FS } = await h5wasm.ready;
  const path = `/reference-${name}.h5`;
  FS?.writeFile(path, files['model.weights.h5'] as Uint8Array);
  const file = new h5wasm.File(path, 'r');
  const weights = new Map<string, tf.Tensor>();
  const walk = (group: InstanceType<typeof h5wasm.Group>, prefix: string) => {
    for (const key of group.keys()) {
      const d = group.get(key);
      const at = prefix ? `${prefix}/${key}` : key;
      if (d instanceof h5wasm.Group) walk(d, at);
      else if (d instanceof h5wasm.Dataset && d.dtype === '<f')
        weights.set(at, tf.tensor(d.value as Float32Array, d.shape ?? []));
    }
  };
  walk(file, '');
  file.close();
  FS?.unlink(path);
  return { config, weights };
}

const ACTIVATIONS: Record<string, (z: tf.Tensor) => tf.Tensor> = {
  linear: (z) => z,
  relu: tf.relu,
  tanh: tf.tanh,
  sigmoid: tf.sigmoid,
  softmax: (z) => tf.softmax(z),
};

/** Keras' Dense from the raw kernel and bias and the layer's activation name. */
const dense = (x: tf.Tensor, w: Map<string, tf.Tensor>, group: string, activation: string) =>
  (ACTIVATIONS[activation] as (z: tf.Tensor) => tf.Tensor)(
    tf.add(tf.matMul(x as tf.Tensor2D, w.get(`${group}/vars/0`) as tf.Tensor2D), w.get(`${group}/vars/1`) as tf.Tensor),
  );

/** Keras' LSTM (gates i, f, c, o; sigmoid recurrent activation, tanh) over [batch, time, features], last h. */
function lstm(x: tf.Tensor3D, w: Map<string, tf.Tensor>, group: string, units: number): tf.Tensor {
  const [kernel, recurrent, bias] = [0, 1, 2].map((i) => w.get(`${group}/cell/vars/${i}`)) as [
    tf.Tensor2D,
    tf.Tensor2D,
    tf.Tensor,
  ];
  const batch = x.shape[0];
  let h: tf.Tensor = tf.zeros([batch, units]);
  let c: tf.Tensor = tf.zeros([batch, units]);
  for (const xt of tf.unstack(x, 1)) {
    const z = tf.add(
      tf.add(tf.matMul(xt as tf.Tensor2D, kernel), tf.matMul(h as tf.Tensor2D, recurrent)),
      bias as tf.Tensor,
    );
    const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    h = tf.mul(tf.sigmoid(o), tf.tanh(c));
  }
  return h;
}

/** Deterministic inputs in [-1, 1). */
const inputs = (batch: number, size: number) =>
  tf.tensor2d(
    Array.from({ length: batch * size }, (_, i) => Math.sin(i * 1.7 + 0.3)),
    [batch, size],
  );

async function expectClose(actual: tf.Tensor, expected: tf.Tensor) {
  expect(actual.shape).toEqual(expected.shape);
  const [a, e] = await Promise.all([actual.data(), expected.data()]);
  a.forEach((v, i) => {
    expect(v).toBeCloseTo(e[i] as number, 5);
  });
}

const layerConfigs = (config: Json): Json[] =>
  config.config.layers.filter((l: Json) => l.class_name !== 'InputLayer').map((l: Json) => l.config);

describe('reading .keras files written by Keras 3', () => {
  test('isKerasFile tells a .keras file from other bytes', () => {
    expect(isKerasFile(fixture('xor-sequential-dense'))).toBe(true);
    expect(isKerasFile(new TextEncoder().encode('{"format": "brickml.model"}'))).toBe(false);
  });

  test('a Sequential of Dense layers (Keras 3.10) predicts as its raw weights do', async () => {
    const { config, weights } = await raw('xor-sequential-dense');
    const model = await modelFromKerasFile('xor', fixture('xor-sequential-dense'));
    const [a, b] = layerConfigs(config) as [Json, Json];
    const x = inputs(5, 2);
    const expected = dense(dense(x, weights, 'layers/dense', a.activation), weights, 'layers/dense_1', b.activation);
    await expectClose(model.predict(x) as tf.Tensor, expected);
    model.dispose();
  });

  test('a Sequential of Reshape, LSTM and Dense (Keras 3.9) predicts as its raw weights do', async () => {
    const { config, weights } = await raw('emg-reshape-lstm');
    const model = await modelFromKerasFile('emg', fixture('emg-reshape-lstm'));
    const [reshape, rnn, d1, d2] = layerConfigs(config) as [Json, Json, Json, Json];
    const x = inputs(3, 12);
    const h = lstm(
      tf.reshape(x, [3, ...(reshape.target_shape as [number, number])]) as tf.Tensor3D,
      weights,
      'layers/lstm',
      rnn.units,
    );
    const expected = dense(dense(h, weights, 'layers/dense', d1.activation), weights, 'layers/dense_1', d2.activation);
    await expectClose(model.predict(x) as tf.Tensor, expected);
    model.dispose();
  });

  test('a functional Dense autoencoder (Keras 3.5, no name attributes) predicts as its raw weights do', async () => {
    const { config, weights } = await raw('fraud-autoencoder-functional');
    const model = await modelFromKerasFile('fraud', fixture('fraud-autoencoder-functional'));
    const x = inputs(4, 29);
    let expected: tf.Tensor = x;
    layerConfigs(config).forEach((c, i) => {
      expected = dense(expected, weights, i === 0 ? 'layers/dense' : `layers/dense_${i}`, c.activation);
    });
    await expectClose(model.predict(x) as tf.Tensor, expected);
    model.dispose();
  });

  test("a file's compile_config compiles the model with its optimizer and loss", async () => {
    const { config } = await raw('xor-sequential-dense');
    const model = await modelFromKerasFile('xor', fixture('xor-sequential-dense'));
    const opt = config.compile_config.optimizer.config;
    expect(model.isCompiled).toBe(true);
    expect(model.optimizer.className).toBe(config.compile_config.optimizer.class_name);
    const mine = model.optimizer.toSpec().config;
    expect(mine.learningRate).toBeCloseTo(opt.learning_rate, 9);
    expect([mine.beta1, mine.beta2, mine.epsilon]).toEqual([opt.beta_1, opt.beta_2, opt.epsilon]);
    expect(model.loss.className).toBe('BinaryCrossentropy');
    model.dispose();
  });

  test('reading leaves no tensor behind', async () => {
    const bytes = fixture('emg-reshape-lstm');
    let model: Model | null = null;
    await expectNoLeak(async () => {
      model = await modelFromKerasFile('emg', bytes);
      (model as Model).dispose();
    });
  });
});
