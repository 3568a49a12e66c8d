import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrickError, setSeed } from '@brickml/core';
import { BatchNormalization, Concatenate, Dense, input } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Model } from './model.js';
import { modelFromSpec } from './model-from-spec.js';
import { loadModel, modelFromArtifacts, modelToArtifacts, saveModel } from './node.js';
import { Sequential } from './sequential.js';
import type { FunctionalSpec } from './spec.js';

/** Two inputs, a brick shared by both, a nested Sequential, a merge, two outputs. */
function graph(name: string): Model {
  setSeed(21);
  const a = input({ shape: [4], name: `${name}_a` });
  const b = input({ shape: [4], name: `${name}_b` });
  const shared = new Dense({ units: 3, activation: 'tanh', name: `${name}_shared` });
  const tower = new Sequential({
    name: `${name}_tower`,
    inputShape: [3],
    layers: [new Dense({ units: 3, name: `${name}_t1` }), new BatchNormalization({ name: `${name}_bn` })],
  });
  const joined = new Concatenate({ name: `${name}_join` }).apply([
    shared.apply(a),
    tower.apply(shared.apply(b)) as never,
  ]);
  const first = new Dense({ units: 2, activation: 'softmax', name: `${name}_first` }).apply(joined);
  const second = new Dense({ units: 1, name: `${name}_second` }).apply(shared.apply(a));
  return new Model({ inputs: [a, b], outputs: [first, second], name });
}

const xs = () => [tf.randomNormal([5, 4], 0, 1, 'float32', 1), tf.randomNormal([5, 4], 0, 1, 'float32', 2)];

async function outputs(model: Model, x: tf.Tensor[]): Promise<number[][]> {
  const ys = model.predict(x) as tf.Tensor[];
  const values = await Promise.all(ys.map(async (y) => Array.from(await y.data())));
  tf.dispose(ys);
  return values;
}

describe('functional specs', () => {
  test('toSpec writes inputs, bricks with the tensors each call reads, and outputs', () => {
    const model = graph('g1');
    const spec = model.toSpec() as FunctionalSpec;
    expect(spec.className).toBe('Functional');
    expect(spec.config.inputs).toEqual([
      { name: 'g1_a', shape: [4], dtype: 'float32' },
      { name: 'g1_b', shape: [4], dtype: 'float32' },
    ]);
    const shared = spec.config.layers.find((l) => l.config.name === 'g1_shared');
    expect(shared?.inbound).toEqual([['g1_a'], ['g1_b'], ['g1_a']]);
    const join = spec.config.layers.find((l) => l.config.name === 'g1_join');
    expect(join?.inbound).toEqual([['g1_shared', 'g1_tower']]);
    const second = spec.config.layers.find((l) => l.config.name === 'g1_second');
    expect(second?.inbound).toEqual([[['g1_shared', 2, 0]]]);
    expect(spec.config.outputs).toEqual(['g1_first', 'g1_second']);
    model.dispose();
  });

  test('modelFromSpec rebuilds the same graph, and toSpec round-trips exactly', async () => {
    const model = graph('g2');
    const spec = JSON.parse(JSON.stringify(model.toSpec()));
    const again = modelFromSpec(spec);
    expect(again.toSpec()).toEqual(spec);
    again.setWeights(model.getWeights());
    const x = xs();
    expect(await outputs(again, x)).toEqual(await outputs(model, x));
    tf.dispose(x);
    model.dispose();
    again.dispose();
  });

  test('save and load keep a graph, nested models and moving statistics included', async () => {
    const model = graph('g3');
    model.compile({ optimizer: 'sgd', loss: ['categoricalCrossentropy', 'mse'] });
    const x = xs();
    const y = [tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1], 'int32'), 2), tf.ones([5, 1])];
    await model.fit(x, y, { epochs: 2, batchSize: 5, verbose: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'brickml-graph-'));
    try {
      await saveModel(model, join(dir, 'm'));
      const loaded = await loadModel(join(dir, 'm'));
      expect(loaded.toSpec()).toEqual(model.toSpec());
      expect(loaded.isCompiled).toBe(true);
      expect(await outputs(loaded, x)).toEqual(await outputs(model, x));
      const copy = await modelFromArtifacts(await modelToArtifacts(model));
      expect(await outputs(copy, x)).toEqual(await outputs(model, x));
      const names = (await modelToArtifacts(model)).weightSpecs?.map((w) => w.name);
      expect(names).toContain('g3_tower/g3_bn/movingMean');
      loaded.dispose();
      copy.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
      tf.dispose([...x, ...y]);
      model.dispose();
    }
  });

  describe('graph checks, each a named error with its path, before any brick exists', () => {
    const base = (): FunctionalSpec => ({
      format: 'brickml.model',
      version: 1,
      className: 'Functional',
      config: {
        name: 'checked',
        inputs: [{ name: 'x', shape: [3] }],
        layers: [
          { className: 'Dense', config: { name: 'h', units: 4 }, inbound: [['x']] },
          { className: 'Dense', config: { name: 'out', units: 2 }, inbound: [['h']] },
        ],
        outputs: ['out'],
      },
    });
    const refuse = (mutate: (s: FunctionalSpec) => void, message: string) => {
      const spec = base();
      mutate(spec);
      const before = tf.memory().numTensors;
      expect(() => modelFromSpec(spec)).toThrowError(BrickError);
      expect(() => modelFromSpec(spec)).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    };

    test('the base spec builds', () => {
      const m = modelFromSpec(base());
      expect(m.outputShapes).toEqual([[2]]);
      m.dispose();
    });
    test('an unknown tensor', () =>
      refuse((s) => {
        s.config.outputs = ['nope'];
      }, 'Model.fromSpec: config.outputs[0] refers to "nope", which is neither an input nor a brick of the model'));
    test('a duplicate name', () =>
      refuse((s) => {
        (s.config.layers[1] as { config: Record<string, unknown> }).config.name = 'h';
      }, "Model.fromSpec: config.layers[1].config.name 'h' is used twice"));
    test('a call that does not exist', () =>
      refuse((s) => {
        (s.config.layers[1] as { inbound: unknown }).inbound = [[['h', 1, 0]]];
      }, "Model.fromSpec: config.layers[1].inbound[0][0] refers to call 1 of 'h', which is called 1 time(s)"));
    test('a cycle', () =>
      refuse((s) => {
        (s.config.layers[0] as { inbound: unknown }).inbound = [['out']];
      }, "Model.fromSpec: config.layers form a cycle: 'out' -> 'h' -> 'out'"));
    test('an input that reaches no output', () =>
      refuse((s) => {
        s.config.inputs.push({ name: 'spare', shape: [2] });
      }, "Model.fromSpec: config.inputs[1] 'spare' reaches no output"));
    test('a brick that reaches no output', () =>
      refuse((s) => {
        s.config.layers.push({ className: 'Dense', config: { name: 'dangling', units: 1 }, inbound: [['x']] });
      }, "Model.fromSpec: config.layers[2].inbound[0] call 0 of 'dangling' reaches no output"));
    test('a merge of shapes that do not fit', () =>
      refuse((s) => {
        s.config.layers.push({ className: 'Add', config: { name: 'sum' }, inbound: [['h', 'out']] });
        s.config.outputs = ['sum'];
      }, "Model.fromSpec: config.layers[2].inbound[0] cannot be applied: Add 'sum' cannot take [null, 4] from Dense 'h' and [null, 2] from Dense 'out'"));
    test('a bad brick config', () =>
      refuse((s) => {
        (s.config.layers[0] as { config: Record<string, unknown> }).config.units = 0;
      }, "config.layers[0]: Dense 'h': units must be a positive integer, received 0"));
  });
});
