import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { joinWeightData } from '../../io/checksum.js';
import { modelFromTfjsArtifacts, tfjsArtifactsFromModelJson } from './index.js';
import { decodeWeights } from './weight-data.js';

const DIR = join(import.meta.dirname, 'fixtures', 'abalone');
// biome-ignore lint/suspicious/noExplicitAny: edits reach into model.json at any depth.
type Json = Record<string, any>;

/** The abalone fixture (three Dense layers), its model.json changed by `edit`, and its weight bytes. */
function abalone(edit: (json: Json) => void = () => {}, bytes = (b: Uint8Array) => b): tf.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(join(DIR, 'model.json'), 'utf8'));
  edit(json);
  return tfjsArtifactsFromModelJson('test', json, (p) => bytes(new Uint8Array(readFileSync(join(DIR, p)))));
}
const specs = (json: Json) => json.weightsManifest[0].weights as Json[];
const layers = (json: Json) => json.modelTopology.config.layers as Json[];

describe('malformed files are refused by name', () => {
  test('an unknown layer class', () => {
    const a = abalone((j) => {
      (layers(j)[1] as Json).class_name = 'Lambda';
    });
    expect(() => modelFromTfjsArtifacts('load', a)).toThrow(
      /^load: Lambda 'dense_Dense2': brickml has no layer class 'Lambda'/,
    );
  });

  test('a missing weight', () => {
    const a = abalone(
      (j) => {
        specs(j).pop();
      },
      (b) => b.slice(0, b.length - 4),
    );
    expect(() => modelFromTfjsArtifacts('load', a)).toThrow(
      "load: the file has no weight 'dense_Dense3/bias' for Dense 'dense_Dense3' param 'bias'",
    );
  });

  test('a weight of the wrong shape', () => {
    const a = abalone((j) => {
      (specs(j)[4] as Json).shape = [1, 50];
    });
    expect(() => modelFromTfjsArtifacts('load', a)).toThrow(
      "load: weight 'dense_Dense3/kernel' has shape [1, 50], Dense 'dense_Dense3' param 'kernel' needs [50, 1]",
    );
  });

  test('a weight no layer takes', () => {
    const a = abalone(
      (j) => {
        specs(j).push({ name: 'extra/w', shape: [1], dtype: 'float32' });
      },
      (b) => new Uint8Array([...b, 0, 0, 0, 0]),
    );
    expect(() => modelFromTfjsArtifacts('load', a)).toThrow(
      "load: the file holds weight 'extra/w', which no brick of the model takes",
    );
  });

  test('weight data shorter than its weights', () => {
    const a = abalone(undefined, (b) => b.slice(0, b.length - 4));
    expect(() => modelFromTfjsArtifacts('load', a)).toThrow(
      "load: weight 'dense_Dense3/bias' (float32 [1]) needs 4 bytes at offset 12200, the weight data holds 12200",
    );
  });

  test('a weight dtype brickml cannot hold', () => {
    const a = abalone((j) => {
      (specs(j)[5] as Json).dtype = 'string';
    });
    expect(() => modelFromTfjsArtifacts('load', a)).toThrow(
      "load: weight 'dense_Dense3/bias' (string [1]): dtype must be float32 or int32, received string",
    );
  });

  const functional = () => ({
    class_name: 'Model',
    config: {
      name: 'm',
      layers: [
        {
          name: 'a',
          class_name: 'InputLayer',
          config: { batch_input_shape: [null, 2], dtype: 'float32', name: 'a' },
          inbound_nodes: [],
        },
        { name: 'd', class_name: 'Dense', config: { name: 'd', units: 1 }, inbound_nodes: [[['a', 0, 0, {}]]] },
      ],
      input_layers: [['a', 0, 0]],
      output_layers: [['d', 0, 0]],
    },
  });

  test('an inbound node naming a layer the model lacks', () => {
    const topology = functional();
    topology.config.layers[1]!.inbound_nodes = [[['b', 0, 0, {}]]];
    expect(() => modelFromTfjsArtifacts('load', { modelTopology: topology })).toThrow(
      "load: layer 'd': inbound_nodes[0][0] refers to layer 'b', which the model does not have",
    );
  });

  test('an inbound node naming a call the layer never makes', () => {
    const topology = functional();
    topology.config.layers[1]!.inbound_nodes = [[['a', 2, 0, {}]]];
    expect(() => modelFromTfjsArtifacts('load', { modelTopology: topology })).toThrow(
      "load: layer 'd': inbound_nodes[0][0] refers to call 2 of 'a', which is called 1 time(s)",
    );
  });
});

/** uint8-quantized bytes of float32 values, as the converter's --quantize_uint8 writes them. */
function quantize(values: Float32Array) {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) [min, max] = [Math.min(min, v), Math.max(max, v)];
  const scale = (max - min) / 255 || 1;
  return { bytes: Uint8Array.from(values, (v) => Math.round((v - min) / scale)), scale, min };
}

describe('quantized weights', () => {
  test('uint8 weights read as tfjs-core dequantizes them, and the model predicts as tfjs-layers does', async () => {
    const plain = abalone();
    const data = new Uint8Array(joinWeightData(plain.weightData));
    const floats = decodeWeights('test', plain.weightSpecs ?? [], data);
    const parts = [...floats.values()].map((w) => quantize(w.values));
    const weightSpecs = (plain.weightSpecs ?? []).map((s, i) => ({
      ...s,
      quantization: {
        dtype: 'uint8' as const,
        scale: parts[i]?.scale,
        min: parts[i]?.min,
        original_dtype: 'float32' as const,
      },
    }));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.bytes.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p.bytes, at);
      at += p.bytes.length;
    }
    const quantized = { ...plain, weightSpecs, weightData: bytes.buffer };
    const ours = decodeWeights('test', weightSpecs, bytes);
    const theirs = tf.io.decodeWeights(bytes.buffer, weightSpecs);
    for (const [name, w] of ours)
      expect(Array.from(w.values)).toEqual(Array.from(await (theirs[name] as tf.Tensor).data()));
    tf.dispose(Object.values(theirs));

    const model = modelFromTfjsArtifacts('test', quantized);
    const reference = await tfl.loadLayersModel(tf.io.fromMemory(quantized));
    const x = tf.randomUniform([8, 8], 0, 1, 'float32', 4);
    const [a, b] = [model.predict(x), reference.predict(x)] as tf.Tensor[];
    const d = tf.max(tf.abs(tf.sub(a as tf.Tensor, b as tf.Tensor)));
    expect((await d.data())[0]).toBeLessThan(1e-5);
    tf.dispose([x, a as tf.Tensor, b as tf.Tensor, d]);
    model.dispose();
    reference.dispose();
  });

  test('float16 weights read as tfjs-core reads them', async () => {
    // Every finite half-precision pattern of a spread of exponents, both signs, subnormals included.
    const halves = Uint16Array.from({ length: 512 }, (_, i) => ((i * 977) % 0x7c00) | (i % 2 ? 0x8000 : 0));
    const spec = { name: 'w', shape: [512], dtype: 'float32' as const, quantization: { dtype: 'float16' as const } };
    const bytes = new Uint8Array(halves.buffer);
    const ours = decodeWeights('test', [spec], bytes).get('w')?.values as Float32Array;
    const theirs = tf.io.decodeWeights(halves.buffer, [spec]).w as tf.Tensor;
    expect(Array.from(ours)).toEqual(Array.from(await theirs.data()));
    theirs.dispose();
  });
});
