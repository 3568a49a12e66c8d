import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrickError, setSeed } from '@brickml/core';
import { BatchNormalization, Dense, Dropout } from '@brickml/layers';
import { expectNoLeak, forEachBackend, weightValues } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Model } from '../model.js';
import { modelFromSpec } from '../model-from-spec.js';
import { loadModel, modelFromArtifacts, modelToArtifacts } from '../node.js';
import { Sequential } from '../sequential.js';
import { folderHandler } from './folder-handler.js';
import { nodeFileSystem } from './node-file-system.js';

const x = [
  [0.5, -1, 2, 0.1],
  [1.5, 0.3, -0.7, 2],
  [-2, 1, 0.4, -0.3],
];
const y = [
  [1, 0],
  [0, 1],
  [1, 0],
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
  const p = m.predict(x) as tf.Tensor;
  const values = Array.from(await p.data());
  p.dispose();
  return values;
}

/** The saved artifacts of model(), with the JSON parts deep-copied so a test may edit them. */
async function artifacts(): Promise<tf.io.ModelArtifacts> {
  const m = model();
  const a = await modelToArtifacts(m);
  m.dispose();
  return { ...JSON.parse(JSON.stringify({ ...a, weightData: null })), weightData: a.weightData };
}

const weightsFile = (names: string[]) => names.find((n) => /^weights\.[0-9a-f]{16}\.bin$/.test(n)) as string;

async function expectRefusal(load: () => Promise<unknown>, message: string) {
  const before = tf.memory().numTensors;
  await expect(load()).rejects.toThrowError(BrickError);
  await expect(load()).rejects.toThrow(message);
  // The model built from the spec is disposed with the refusal.
  expect(tf.memory().numTensors).toBe(before);
}

describe('saving and loading models', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'brickml-io-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  test('save then loadModel gives the same spec, predictions, weights and moving statistics', async () => {
    const original = model();
    const dir = join(root, 'nested', 'round-trip');
    await original.save(dir);
    const loaded = await loadModel(dir);
    expect(loaded.toSpec()).toEqual(original.toSpec());
    expect(await weightValues(loaded)).toEqual(await weightValues(original));
    expect(await predictions(loaded)).toEqual(await predictions(original));
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([expect.stringMatching(/^model\.json$/), weightsFile(names)].sort());
    expect(loaded.isCompiled).toBe(false);
    // The model.json file itself loads too, and so does a file:// URL.
    (await loadModel(join(dir, 'model.json'))).dispose();
    (await loadModel(`file://${dir}`)).dispose();
    original.dispose();
    loaded.dispose();
  });

  test('model.json is laid out as tfjs lays out its own: topology, a manifest named by brick and key, metadata', async () => {
    const m = model();
    const dir = join(root, 'layout');
    await m.save(dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const file = weightsFile(await readdir(dir));
    expect(json.format).toBe('brickml');
    expect(json.modelTopology).toEqual(m.toSpec());
    expect(json.weightsManifest).toEqual([
      {
        paths: [file],
        weights: [
          { name: 'hidden/kernel', shape: [4, 3], dtype: 'float32' },
          { name: 'hidden/bias', shape: [3], dtype: 'float32' },
          { name: 'bn/gamma', shape: [3], dtype: 'float32' },
          { name: 'bn/beta', shape: [3], dtype: 'float32' },
          { name: 'bn/movingMean', shape: [3], dtype: 'float32' },
          { name: 'bn/movingVariance', shape: [3], dtype: 'float32' },
          { name: 'out/kernel', shape: [3, 2], dtype: 'float32' },
          { name: 'out/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ]);
    expect(json.userDefinedMetadata.brickml.state).toEqual(['bn/movingMean', 'bn/movingVariance']);
    const bytes = await readFile(join(dir, file));
    const stored = Array.from({ length: bytes.byteLength / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(stored).toEqual((await weightValues(m)).flat());
    // The file is named by its checksum, and the whole-data checksum is in the metadata.
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    expect(file).toBe(`weights.${digest.slice(0, 16)}.bin`);
    expect(json.userDefinedMetadata.brickml.sha256).toBe(digest);
    m.dispose();
  });

  test('saving again replaces the files and removes the weights the new model.json does not name', async () => {
    const dir = join(root, 'again');
    const first = model();
    await first.save(dir);
    const second = new Sequential({ name: 'small', inputShape: [2], layers: [new Dense({ units: 1 })] });
    await second.save(dir);
    const names = await readdir(dir);
    expect(names).toHaveLength(2);
    const loaded = await loadModel(dir);
    expect(loaded.name).toBe('small');
    expect(await weightValues(loaded)).toEqual(await weightValues(second));
    [first, second, loaded].forEach((m) => {
      m.dispose();
    });
  });

  test('saves into one folder at once run one after another: the folder holds the last, whole', async () => {
    const dir = join(root, 'concurrent');
    const a = model();
    const b = new Sequential({ name: 'small', inputShape: [2], layers: [new Dense({ units: 1 })] });
    for (let i = 0; i < 5; i++) {
      await Promise.all([a.save(dir), b.save(`${dir}/./`), a.save(dir), b.save(dir)]);
      const loaded = await loadModel(dir);
      expect(loaded.name).toBe('small');
      expect(await weightValues(loaded)).toEqual(await weightValues(b));
      expect(await readdir(dir)).toHaveLength(2);
      loaded.dispose();
    }
    a.dispose();
    b.dispose();
  });

  test('trainingState is refused by the formats that cannot carry it, naming the format', async () => {
    const m = model();
    for (const [target, format] of [
      [join(root, 'state.keras'), 'keras'],
      [join(root, 'state-tfjs'), 'tfjs'],
    ] as const) {
      await expect(m.save(target, { format, trainingState: { epoch: 1 } })).rejects.toThrow(
        `Sequential 'saved'.save: trainingState is kept by the 'brickml' format only; a ${format} file cannot carry it`,
      );
    }
    await expect(m.save(join(root, 'x'), { format: 'onnx' as 'tfjs' })).rejects.toThrow(
      "format must be one of 'brickml', 'tfjs', 'keras', received 'onnx'",
    );
    m.dispose();
  });

  test('leftovers of a killed save are removed by the next save', async () => {
    const dir = join(root, 'leftovers');
    const m = model();
    await m.save(dir);
    await writeFile(join(dir, '.model.json.0123456789ab.tmp'), 'half');
    await writeFile(join(dir, 'weights.0123456789abcdef.bin'), 'orphan');
    await writeFile(join(dir, 'notes.txt'), "the user's own file stays");
    await m.save(dir);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['model.json', 'notes.txt', weightsFile(names)].sort());
    m.dispose();
  });

  test('a failed write removes its temporary files and leaves the old model loadable', async () => {
    const dir = join(root, 'blocked');
    const m = model();
    await m.save(dir);
    const before = (await readdir(dir)).sort();
    // A folder where the new weights file should go makes its rename fail.
    const other = new Sequential({ name: 'other', inputShape: [2], layers: [new Dense({ units: 1 })] });
    const bytes = new Uint8Array((await modelToArtifacts(other)).weightData as ArrayBuffer);
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');
    await mkdir(join(dir, `weights.${digest.slice(0, 16)}.bin`));
    await expect(other.save(dir)).rejects.toThrow();
    await rm(join(dir, `weights.${digest.slice(0, 16)}.bin`), { recursive: true });
    expect((await readdir(dir)).sort()).toEqual(before);
    const loaded = await loadModel(dir);
    expect(loaded.name).toBe('saved');
    [m, other, loaded].forEach((k) => {
      k.dispose();
    });
  });

  test('a path ending in .keras writes one Keras 3 file that loads back, from the path or from its bytes', async () => {
    const m = model();
    const file = join(root, 'keras', 'model.keras');
    await m.save(file);
    await m.save(file);
    expect(await readdir(join(root, 'keras'))).toEqual(['model.keras']);
    const fromPath = await loadModel(file);
    const fromBytes = await loadModel(new Uint8Array(await readFile(file)));
    expect(await predictions(fromPath)).toEqual(await predictions(m));
    expect(await predictions(fromBytes)).toEqual(await predictions(m));
    await expectRefusal(
      () => loadModel(new Uint8Array([1, 2, 3])),
      'loadModel(bytes): the bytes are not a .keras file',
    );
    await expectRefusal(
      () => m.save(tf.io.fromMemory({}), { format: 'keras' }),
      'a .keras file is written to a file path',
    );
    [m, fromPath, fromBytes].forEach((k) => {
      k.dispose();
    });
  });

  test("format 'tfjs' writes a folder that tfjs-layers loads and predicts with as brickml does", async () => {
    const m = model();
    const dir = join(root, 'tfjs');
    await m.save(dir, { format: 'tfjs' });
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    const theirs = await tfl.loadLayersModel(folderHandler(nodeFileSystem, dir, 'test'));
    const back = await loadModel(dir);
    const expected = await predictions(m);
    const p = theirs.predict(tf.tensor2d(x)) as tf.Tensor;
    const got = Array.from(await p.data());
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i] as number, 5);
    expect(await predictions(back)).toEqual(expected);
    tf.dispose(p);
    theirs.dispose();
    [m, back].forEach((k) => {
      k.dispose();
    });
  });

  test('an unbuilt model saves an empty manifest and loads unbuilt', async () => {
    const lazy = new Sequential({ name: 'lazy', layers: [new Dense({ name: 'd', units: 2 })] });
    const a = await modelToArtifacts(lazy);
    expect(a.weightSpecs).toEqual([]);
    expect((a.weightData as ArrayBuffer).byteLength).toBe(0);
    const loaded = await modelFromArtifacts(a);
    expect(loaded.built).toBe(false);
    expect(loaded.toSpec()).toEqual(lazy.toSpec());
    lazy.dispose();
    loaded.dispose();
  });

  test('tfjs IO handlers carry the model: fromMemory and withSaveHandler', async () => {
    const m = model();
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await loadModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expect(await predictions(loaded)).toEqual(await predictions(m));
    m.dispose();
    loaded.dispose();
  });

  test("'downloads://' outside a browser page is a named error, never a folder of that name", async () => {
    const m = model();
    const cwd = process.cwd();
    const dir = await mkdtemp(join(tmpdir(), 'brickml-downloads-'));
    try {
      process.chdir(dir);
      await expect(m.save('downloads://mnist')).rejects.toThrow(/'downloads:\/\/mnist' needs a browser page/);
      await expect(m.save('downloads://mnist.keras')).rejects.toThrow(/a \.keras file is written to a file path/);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      process.chdir(cwd);
      await rm(dir, { recursive: true, force: true });
    }
    m.dispose();
  });

  test("an http(s) URL loads a saved folder served over HTTP, through tfjs' http handler", async () => {
    const m = model();
    const dir = join(root, 'served');
    await m.save(dir);
    const server = createServer((req, res) => {
      readFile(join(dir, (req.url ?? '/').slice(1))).then(
        (body) => res.end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      const loaded = await loadModel(`http://127.0.0.1:${port}/model.json`);
      expect(await predictions(loaded)).toEqual(await predictions(m));
      loaded.dispose();
    } finally {
      server.close();
      m.dispose();
    }
  });

  describe('compiled models come back compiled, with the optimizer where it stopped', () => {
    function compiled(dropout = true): Sequential {
      const m = model();
      if (!dropout) {
        const spec = m.toSpec() as { config: { layers: { className: string }[] } };
        spec.config.layers = spec.config.layers.filter((l) => l.className !== 'Dropout');
        const weights = m.getWeights();
        m.dispose();
        const bare = modelFromSpec(spec) as Sequential;
        bare.setWeights(weights);
        tf.dispose(weights);
        bare.compile({
          optimizer: { className: 'Adam', config: { learningRate: 0.01 } },
          loss: 'categoricalCrossentropy',
        });
        return bare;
      }
      m.compile({
        optimizer: { className: 'Adam', config: { learningRate: 0.01 } },
        loss: 'categoricalCrossentropy',
        metrics: ['accuracy'],
      });
      return m;
    }

    test('the compile configuration, optimizer slots and step count round-trip', async () => {
      const m = compiled();
      await m.fit(x, y, { epochs: 3, batchSize: 3, verbose: 0, shuffle: false });
      const loaded = await modelFromArtifacts(await modelToArtifacts(m));
      expect(loaded.isCompiled).toBe(true);
      expect(loaded.optimizer.toSpec()).toEqual(m.optimizer.toSpec());
      expect(loaded.compiledOutputs.map((o) => o.loss.toSpec())).toEqual(m.compiledOutputs.map((o) => o.loss.toSpec()));
      expect(loaded.metrics.map((k) => k.name)).toEqual(m.metrics.map((k) => k.name));
      const [a, b] = [await m.optimizer.getState(), await loaded.optimizer.getState()];
      expect(b.iterations).toBe(3);
      expect(Object.values(b.slots)).toEqual(Object.values(a.slots));
      m.dispose();
      loaded.dispose();
    });

    test('training continued after loading equals training that never stopped, bit for bit', async () => {
      // Dropout's draws are the RNG's to replay (see the callbacks' resume tests); here the optimizer alone.
      const straight = compiled(false);
      await straight.fit(x, y, { epochs: 4, batchSize: 2, verbose: 0, shuffle: false });
      const first = compiled(false);
      await first.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, shuffle: false });
      const dir = join(root, 'resume');
      await first.save(dir);
      const resumed = await loadModel(dir);
      await resumed.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, shuffle: false });
      expect(await weightValues(resumed)).toEqual(await weightValues(straight));
      [straight, first, resumed].forEach((k) => {
        k.dispose();
      });
    });

    test('includeOptimizer: false saves the model alone; trainingState travels as given', async () => {
      const m = compiled();
      const bare = await modelFromArtifacts(await modelToArtifacts(m, { includeOptimizer: false }));
      expect(bare.isCompiled).toBe(false);
      const state = { epoch: 3, note: ['a', 1] };
      const kept = await modelFromArtifacts(await modelToArtifacts(m, { trainingState: state }));
      expect(kept.trainingState).toEqual(state);
      expect(bare.trainingState).toBeNull();
      [m, bare, kept].forEach((k) => {
        k.dispose();
      });
    });
  });

  describe('refuses a file that does not match the spec or its checksum, before assigning anything', () => {
    const named = (a: tf.io.ModelArtifacts) => a.weightSpecs as { name: string; shape: number[] }[];

    test('an edited shape names the brick, the weight and both shapes', async () => {
      const a = await artifacts();
      (named(a)[0] as { shape: number[] }).shape = [3, 4];
      await expectRefusal(
        () => modelFromArtifacts(a),
        "modelFromArtifacts: Dense 'hidden' param 'kernel' must have shape [4, 3], the manifest gives [3, 4]",
      );
    });

    test('a missing weight', async () => {
      const a = await artifacts();
      named(a).splice(5, 1);
      a.weightData = (a.weightData as ArrayBuffer).slice(0, (a.weightData as ArrayBuffer).byteLength - 12);
      await expectRefusal(() => modelFromArtifacts(a), "modelFromArtifacts: the weights' SHA-256");
    });

    test('a weight the spec does not create, or one listed twice', async () => {
      const a = await artifacts();
      (named(a)[1] as { name: string }).name = 'hidden/offset';
      await expectRefusal(
        () => modelFromArtifacts(a),
        "modelFromArtifacts: the file holds weight 'hidden/offset', which the model's spec does not create",
      );
      (named(a)[1] as { name: string }).name = 'hidden/kernel';
      await expectRefusal(
        () => modelFromArtifacts(a),
        "modelFromArtifacts: the manifest lists weight 'hidden/kernel' twice",
      );
    });

    test('a state saved as a param', async () => {
      const a = await artifacts();
      const meta = (a.userDefinedMetadata as { brickml: { state: string[] } }).brickml;
      meta.state = ['bn/movingVariance'];
      await expectRefusal(
        () => modelFromArtifacts(a),
        "modelFromArtifacts: BatchNormalization 'bn' state 'movingMean' is a state, the manifest says param",
      );
    });

    test('a truncated weights file names the file and both lengths', async () => {
      const m = model();
      const dir = join(root, 'truncated');
      await m.save(dir);
      m.dispose();
      const file = weightsFile(await readdir(dir));
      const bytes = await readFile(join(dir, file));
      await writeFile(join(dir, file), bytes.subarray(0, bytes.byteLength - 4));
      await expectRefusal(() => loadModel(dir), `loadModel('${dir}'): ${file} does not match its checksum`);
      // Renamed so that the name carries no checksum, the length check names it.
      const json = await readFile(join(dir, 'model.json'), 'utf8');
      await writeFile(join(dir, 'model.json'), json.replace(file, 'plain.bin'));
      await writeFile(join(dir, 'plain.bin'), bytes.subarray(0, bytes.byteLength - 4));
      await expectRefusal(
        () => loadModel(dir),
        `loadModel('${dir}'): plain.bin holds ${bytes.byteLength - 4} bytes, the manifest in model.json needs ${bytes.byteLength} (a truncated file?)`,
      );
    });

    test('one flipped bit in the weights fails the checksum', async () => {
      const m = model();
      const dir = join(root, 'flipped');
      await m.save(dir);
      m.dispose();
      const file = weightsFile(await readdir(dir));
      const bytes = await readFile(join(dir, file));
      bytes[7] = (bytes[7] as number) ^ 1;
      await writeFile(join(dir, file), bytes);
      await expectRefusal(() => loadModel(dir), `${file} does not match its checksum`);
      const a = await artifacts();
      const view = new Uint8Array(a.weightData as ArrayBuffer);
      view[3] = (view[3] as number) ^ 4;
      await expectRefusal(() => modelFromArtifacts(a), 'the weight bytes are corrupted');
    });

    test('a manifest that points outside its folder, another format, or a spec file', async () => {
      const m = model();
      const dir = join(root, 'outside');
      await m.save(dir);
      m.dispose();
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      json.weightsManifest[0].paths = ['../secret.bin'];
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      await expectRefusal(
        () => loadModel(dir),
        "model.json names weight file '../secret.bin', which is not a file name inside",
      );
      const a = await artifacts();
      await expectRefusal(
        () => modelFromArtifacts({ ...a, format: 'graph-model' }),
        'modelFromArtifacts: the artifacts\' format is "graph-model"',
      );
      await writeFile(join(dir, 'model.json'), JSON.stringify(json.modelTopology));
      await expectRefusal(
        () => loadModel(dir),
        "model.json is not a saved model: it needs 'modelTopology' and 'weightsManifest'",
      );
    });

    test('a folder without model.json, a path with nothing, a file of another kind', async () => {
      const dir = join(root, 'empty');
      await mkdir(dir);
      await expectRefusal(() => loadModel(dir), `loadModel('${dir}'): model.json is missing from ${dir}`);
      await expectRefusal(() => loadModel(join(root, 'nothing')), `nothing is at ${join(root, 'nothing')}`);
      await writeFile(join(dir, 'data.txt'), 'x');
      await expectRefusal(
        () => loadModel(join(dir, 'data.txt')),
        'is neither a model folder, a model.json nor a .keras file',
      );
    });
  });

  forEachBackend((backend) => {
    test(`artifacts round trip with no tensor left behind (${backend})`, async () => {
      const original = model();
      original.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      await original.fit(x, y, { epochs: 1, verbose: 0 });
      const expected = await predictions(original);
      await expectNoLeak(async () => {
        const loaded = await modelFromArtifacts(await modelToArtifacts(original));
        const got = await predictions(loaded);
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i] as number, 5);
        loaded.dispose();
      });
      await expectNoLeak(async () => {
        const dir = join(root, `leak-${backend}`);
        await original.save(dir);
        (await loadModel(dir)).dispose();
      });
      original.dispose();
    });
  });
});
