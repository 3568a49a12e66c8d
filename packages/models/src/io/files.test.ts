import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrickError, setSeed } from '@brickml/core';
import { BatchNormalization, Dense, Dropout } from '@brickml/layers';
import { expectNoLeak, forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Model } from '../model.js';
import { Sequential } from '../sequential.js';
import { loadModel, type ModelJson, modelFromArtifacts, modelToArtifacts, saveModel } from './files.js';

const x = [
  [0.5, -1, 2, 0.1],
  [1.5, 0.3, -0.7, 2],
  [-2, 1, 0.4, -0.3],
];

/** Dense → BatchNormalization → Dropout → Dense, every weight (moving statistics too) set away from its initial value. */
function model(): Sequential {
  setSeed(5);
  const m = new Sequential({
    name: 'saved',
    inputShape: [4],
    layers: [
      new Dense({ name: 'hidden', units: 3, activation: 'relu' }),
      new BatchNormalization({ name: 'bn' }),
      new Dropout({ name: 'drop', rate: 0.5 }),
      new Dense({ name: 'out', units: 2, activation: 'softmax' }),
    ],
  });
  const old = m.getWeights();
  const fresh = old.map((w, i) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i + 1));
  m.setWeights(fresh);
  tf.dispose([...old, ...fresh]);
  return m;
}

async function predictions(m: Model): Promise<number[]> {
  const y = m.predict(x) as tf.Tensor;
  const values = Array.from(await y.data());
  y.dispose();
  return values;
}

async function weightValues(m: Model): Promise<number[][]> {
  const ws = m.getWeights();
  const values = await Promise.all(ws.map(async (w) => Array.from(await w.data())));
  tf.dispose(ws);
  return values;
}

/** The saved artifacts of model(), with the JSON deep-copied so a test may edit it. */
async function artifacts() {
  const m = model();
  const { modelJson, weightData } = await modelToArtifacts(m);
  m.dispose();
  return { modelJson: JSON.parse(JSON.stringify(modelJson)) as ModelJson, weightData };
}

type Entry = { name: string; shape: number[]; kind: string };
const weightsOf = (json: ModelJson) => (json.weightsManifest[0] as { weights: Entry[] }).weights;

function expectRefusal(load: () => unknown, message: string) {
  const before = tf.memory().numTensors;
  expect(load).toThrowError(BrickError);
  expect(load).toThrow(message);
  // The model built from the spec is disposed with the refusal.
  expect(tf.memory().numTensors).toBe(before);
}

describe('saving and loading models', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'brickml-io-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  test('saveModel then loadModel gives the same predictions, weights and moving statistics', async () => {
    const original = model();
    const dir = join(root, 'nested', 'round-trip');
    await saveModel(original, dir);
    const loaded = await loadModel(dir);
    expect(loaded.toSpec()).toEqual(original.toSpec());
    expect(await weightValues(loaded)).toEqual(await weightValues(original));
    expect(await predictions(loaded)).toEqual(await predictions(original));
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    original.dispose();
    loaded.dispose();
  });

  test('model.json holds the spec and a manifest named by brick and key; weights.bin their float32 bytes', async () => {
    const m = model();
    const dir = join(root, 'layout');
    await saveModel(m, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json).toEqual({ ...m.toSpec(), weightsManifest: expect.any(Array) });
    expect(json.format).toBe('brickml.model');
    expect(json.version).toBe(1);
    expect(json.weightsManifest).toEqual([
      {
        paths: ['weights.bin'],
        weights: [
          { name: 'hidden/kernel', shape: [4, 3], dtype: 'float32', kind: 'param' },
          { name: 'hidden/bias', shape: [3], dtype: 'float32', kind: 'param' },
          { name: 'bn/gamma', shape: [3], dtype: 'float32', kind: 'param' },
          { name: 'bn/beta', shape: [3], dtype: 'float32', kind: 'param' },
          { name: 'bn/movingMean', shape: [3], dtype: 'float32', kind: 'state' },
          { name: 'bn/movingVariance', shape: [3], dtype: 'float32', kind: 'state' },
          { name: 'out/kernel', shape: [3, 2], dtype: 'float32', kind: 'param' },
          { name: 'out/bias', shape: [2], dtype: 'float32', kind: 'param' },
        ],
      },
    ]);
    const bytes = await readFile(join(dir, 'weights.bin'));
    const stored = Array.from({ length: bytes.byteLength / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(stored).toEqual((await weightValues(m)).flat());
    m.dispose();
  });

  test('saving again replaces the files and leaves no temporary file', async () => {
    const dir = join(root, 'again');
    const first = model();
    await saveModel(first, dir);
    const second = new Sequential({ name: 'small', inputShape: [2], layers: [new Dense({ units: 1 })] });
    await saveModel(second, dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadModel(dir);
    expect(loaded.name).toBe('small');
    expect(await weightValues(loaded)).toEqual(await weightValues(second));
    [first, second, loaded].forEach((m) => {
      m.dispose();
    });
  });

  test('a failed write removes its temporary files', async () => {
    const dir = join(root, 'blocked');
    const m = model();
    await saveModel(m, dir);
    await rm(join(dir, 'model.json'));
    // A folder where model.json should go makes the final rename fail.
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'model.json')));
    await expect(saveModel(m, dir)).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    m.dispose();
  });

  test('an unbuilt model saves an empty manifest and loads unbuilt', async () => {
    const lazy = new Sequential({ name: 'lazy', layers: [new Dense({ name: 'd', units: 2 })] });
    const { modelJson, weightData } = await modelToArtifacts(lazy);
    expect(modelJson.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: [] }]);
    expect(weightData.byteLength).toBe(0);
    const loaded = modelFromArtifacts({ modelJson, weightData });
    expect(loaded.built).toBe(false);
    expect(loaded.toSpec()).toEqual(lazy.toSpec());
    lazy.dispose();
    loaded.dispose();
  });

  describe('refuses a manifest that does not match the spec, before assigning anything', () => {
    test('an edited shape names the brick, the weight and both shapes', async () => {
      const { modelJson, weightData } = await artifacts();
      (weightsOf(modelJson)[0] as Entry).shape = [4, 5];
      expectRefusal(
        () => modelFromArtifacts({ modelJson, weightData }),
        "modelFromArtifacts: Dense 'hidden' param 'kernel' must have shape [4, 3], the manifest gives [4, 5]",
      );
    });

    test('a missing weight', async () => {
      const { modelJson, weightData } = await artifacts();
      weightsOf(modelJson).splice(5, 1);
      expectRefusal(
        () => modelFromArtifacts({ modelJson, weightData: weightData.slice(0, weightData.byteLength - 12) }),
        "modelFromArtifacts: the manifest has no weight 'bn/movingVariance' for BatchNormalization 'bn' state 'movingVariance' of shape [3]",
      );
    });

    test('a weight the spec does not create, or one listed twice', async () => {
      const { modelJson, weightData } = await artifacts();
      const weights = weightsOf(modelJson);
      (weights[1] as Entry).name = 'hidden/offset';
      expectRefusal(
        () => modelFromArtifacts({ modelJson, weightData }),
        "modelFromArtifacts: the manifest holds weight 'hidden/offset', which the model's spec does not create",
      );
      (weights[1] as Entry).name = 'hidden/kernel';
      expectRefusal(
        () => modelFromArtifacts({ modelJson, weightData }),
        "modelFromArtifacts: the manifest lists weight 'hidden/kernel' twice",
      );
    });

    test('a state saved as a param', async () => {
      const { modelJson, weightData } = await artifacts();
      (weightsOf(modelJson)[4] as Entry).kind = 'param';
      expectRefusal(
        () => modelFromArtifacts({ modelJson, weightData }),
        "modelFromArtifacts: BatchNormalization 'bn' state 'movingMean' is a state, the manifest says param",
      );
    });

    test('a truncated weights.bin', async () => {
      const m = model();
      const dir = join(root, 'truncated');
      await saveModel(m, dir);
      m.dispose();
      const bytes = await readFile(join(dir, 'weights.bin'));
      await writeFile(join(dir, 'weights.bin'), bytes.subarray(0, bytes.byteLength - 4));
      const before = tf.memory().numTensors;
      const load = loadModel(dir);
      await expect(load).rejects.toThrowError(BrickError);
      await expect(load).rejects.toThrow(
        `loadModel('${dir}'): the weight files hold ${bytes.byteLength - 4} bytes, the manifest needs ${bytes.byteLength}`,
      );
      expect(tf.memory().numTensors).toBe(before);
    });

    test('a model.json that is not a brickml model, or points outside its folder', async () => {
      const { modelJson, weightData } = await artifacts();
      expectRefusal(
        () => modelFromArtifacts({ modelJson: { ...modelJson, format: 'keras' }, weightData }),
        'modelFromArtifacts: format',
      );
      const { weightsManifest, ...spec } = modelJson;
      expectRefusal(() => modelFromArtifacts({ modelJson: spec, weightData }), 'weightsManifest');
      (weightsManifest[0] as { paths: string[] }).paths = ['../secret.bin'];
      expectRefusal(
        () => modelFromArtifacts({ modelJson: { ...spec, weightsManifest }, weightData }),
        'weightsManifest[0].paths[0] must be a file name inside the model folder, received "../secret.bin"',
      );
    });

    test('a folder without model.json', async () => {
      const dir = join(root, 'empty');
      await expect(loadModel(dir)).rejects.toThrow(`loadModel('${dir}'): cannot read model.json`);
    });
  });

  forEachBackend((backend) => {
    test(`artifacts round trip with no tensor left behind (${backend})`, async () => {
      const original = model();
      const expected = await predictions(original);
      await expectNoLeak(async () => {
        const loaded = modelFromArtifacts(await modelToArtifacts(original));
        const got = await predictions(loaded);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i] as number, 5);
        loaded.dispose();
      });
      await expectNoLeak(async () => {
        const dir = join(root, `leak-${backend}`);
        await saveModel(original, dir);
        (await loadModel(dir)).dispose();
      });
      original.dispose();
    });
  });
});
