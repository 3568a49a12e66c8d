import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setSeed } from '@brickml/core';
import { loadModel, type Model, modelFromSpec } from '@brickml/models';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './commands.js';
import { readTable, writeTable } from './csv.js';
import { readNpy, writeNpy } from './npy.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  let progress = '';
  const io = {
    out: (t: string) => out.push(t),
    err: (t: string) => err.push(t),
    progress: { write: (t: string) => (progress += t) },
  };
  return { io, out, err, progress: () => progress };
}

const dir = mkdtempSync(join(tmpdir(), 'brickml-fit-'));
const at = (name: string) => join(dir, name);

/** 48 points of a 2-D plane, class 1 above the line y = x: a task a small net learns. */
const points = Array.from({ length: 48 }, (_, i) => [((i * 7) % 12) / 6 - 1, ((i * 5) % 8) / 4 - 1]);

/** The models saved at two paths predict exactly the same on `points`. */
async function expectSamePredictions(first: string, second: string): Promise<void> {
  const [a, b] = [await loadModel(first), await loadModel(second)];
  const x = tf.tensor2d(points);
  const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
  expect(await yb.data()).toEqual(await ya.data());
  tf.dispose([x, ya, yb]);
  a.dispose();
  b.dispose();
}
const labels = points.map(([a, b]) => ((b as number) > (a as number) ? 1 : 0));
writeFileSync(
  at('points.csv'),
  writeTable(
    points.map((p, i) => [...p, labels[i] as number]),
    ['x1', 'x2', 'label'],
  ),
);
writeFileSync(at('inputs.npy'), writeNpy(points.flat(), [points.length, 2]));

const modelSpec = {
  format: 'brickml.model',
  version: 1,
  className: 'Sequential',
  config: {
    name: 'plane',
    inputShape: [2],
    layers: [
      { className: 'Dense', config: { name: 'hidden', units: 8, activation: 'tanh' } },
      { className: 'Dense', config: { name: 'probs', units: 2, activation: 'softmax' } },
    ],
  },
};
const compile = {
  optimizer: { className: 'Adam', config: { learningRate: 0.05 } },
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
};
const fitOptions = { epochs: 3, batchSize: 8 };
const source = { kind: 'csv', path: 'points.csv', label: 'label', oneHot: 2 };
const trainingFile = {
  $schema: '../schema/training.json',
  model: modelSpec,
  compile,
  fit: { ...fitOptions, verbose: 2 },
  data: { train: source, validation: source, test: source },
  backend: 'cpu',
  seed: 7,
  output: { model: 'out/plane.model', history: 'out/plane.svg' },
};
writeFileSync(at('train.json'), JSON.stringify(trainingFile));

/** The same training in code: the reference the CLI's model must equal. */
async function trainedInCode(): Promise<Model> {
  setSeed(7);
  const model = modelFromSpec(modelSpec);
  model.compile(compile as never);
  const x = tf.tensor2d(points);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 2);
  await model.fit(x, y, { ...fitOptions, validationData: [x, y], verbose: 0 });
  tf.dispose([x, y]);
  return model;
}

const fit = capture();
let fitCode = -1;
let tensorsBefore = 0;

describe('brickml fit, evaluate, predict, convert', () => {
  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    fitCode = await runCli(['fit', at('train.json')], fit.io);
  });

  afterAll(() => {
    setSeed(Date.now());
  });

  test('fit trains, saves the model and writes the history chart, leaving no tensor behind', () => {
    expect(fit.err).toEqual([]);
    expect(fitCode).toBe(0);
    expect(fit.out.slice(-2)).toEqual([
      `brickml fit: saved the model to ${at('out/plane.model')}`,
      `brickml fit: wrote the history chart to ${at('out/plane.svg')}`,
    ]);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  test('fit shows the progress as fit does, one line per epoch at verbose 2', () => {
    const lines = fit.progress().trimEnd().split('\n');
    expect(lines.map((l) => l.split(' - ')[0])).toEqual(['Epoch 1/3', 'Epoch 2/3', 'Epoch 3/3']);
    expect(lines[2]).toMatch(/ - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: /);
  });

  test('the history chart has the loss and accuracy, train and validation', () => {
    const svg = readFileSync(at('out/plane.svg'), 'utf8');
    for (const series of ['loss', 'val_loss', 'accuracy', 'val_accuracy']) {
      expect(svg).toContain(`data-series="${series}"`);
    }
  });

  test('the saved model has the weights of the same training done in code', async () => {
    const reference = await trainedInCode();
    const saved = await loadModel(at('out/plane.model'));
    const [ours, theirs] = [saved.getWeights(), reference.getWeights()];
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < ours.length; i++) expect(await ours[i]!.data()).toEqual(await theirs[i]!.data());
    tf.dispose([...ours, ...theirs]);
    saved.dispose();
    reference.dispose();
  });

  test('fit.resume continues a saved run with its saved optimizer: one epoch, then two more, equals three in one run', async () => {
    const c = capture();
    const first = { ...trainingFile, fit: { ...trainingFile.fit, epochs: 1 }, output: { model: 'out/first.model' } };
    // The compile section stays, as in the README's sample: compiling again would start a fresh Adam.
    const { seed: _, ...rest } = trainingFile;
    const then = {
      ...rest,
      model: 'out/first.model',
      fit: { ...trainingFile.fit, resume: true },
      output: { model: 'out/then.model' },
    };
    writeFileSync(at('first.json'), JSON.stringify(first));
    writeFileSync(at('then.json'), JSON.stringify(then));
    expect(await runCli(['fit', at('first.json')], c.io)).toBe(0);
    expect(await runCli(['fit', at('then.json')], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(c.out).toContain(
      `brickml fit: fit.resume continues with the optimizer state, loss and metrics saved in out/first.model; compile in ${at('then.json')} is not applied`,
    );
    expect(
      c
        .progress()
        .trimEnd()
        .split('\n')
        .map((l) => l.split(' - ')[0]),
    ).toEqual(['Epoch 1/1', 'Epoch 2/3', 'Epoch 3/3']);
    const [resumed, whole] = [await loadModel(at('out/then.model')), await loadModel(at('out/plane.model'))];
    const [ours, theirs] = [resumed.getWeights(), whole.getWeights()];
    for (let i = 0; i < ours.length; i++) expect(await ours[i]!.data()).toEqual(await theirs[i]!.data());
    tf.dispose([...ours, ...theirs]);
    resumed.dispose();
    whole.dispose();
  });

  test('fit.resume refuses a model that holds no training state', async () => {
    const c = capture();
    writeFileSync(at('spec-resume.json'), JSON.stringify({ ...trainingFile, fit: { resume: true } }));
    expect(await runCli(['fit', at('spec-resume.json')], c.io)).toBe(1);
    expect(c.err).toEqual([
      `brickml fit: ${at('spec-resume.json')}: fit.resume needs a saved model that holds a training state, model is a spec`,
    ]);
  });

  test('fit prints the test logs, which evaluate repeats on the saved model', async () => {
    const testLine = fit.out.find((l) => l.startsWith('test: '));
    const c = capture();
    expect(await runCli(['evaluate', at('out/plane.model'), at('train.json'), '--backend', 'cpu'], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(testLine).toBe(`test: ${c.out[0]}`);
    expect(c.out[0]).toMatch(/^loss: \d\.\d{4} - accuracy: \d\.\d{4}$/);
  });

  test('evaluate on a data file uses the training configuration saved with the model', async () => {
    writeFileSync(at('data.json'), JSON.stringify({ $schema: '../schema/data.json', ...source }));
    const viaTraining = capture();
    const viaData = capture();
    await runCli(['evaluate', at('out/plane.model'), at('train.json'), '-b', 'cpu'], viaTraining.io);
    expect(await runCli(['evaluate', at('out/plane.model'), at('data.json'), '-b', 'cpu'], viaData.io)).toBe(0);
    expect(viaData.out).toEqual(viaTraining.out);
  });

  test('predict -o out.npy writes what model.predict gives', async () => {
    const c = capture();
    const target = at('predictions.npy');
    expect(await runCli(['predict', at('out/plane.model'), at('inputs.npy'), '-o', target, '-b', 'cpu'], c.io)).toBe(0);
    expect(c.out).toEqual([`brickml predict: wrote 48 predictions to ${target}`]);
    const model = await loadModel(at('out/plane.model'));
    const x = tf.tensor2d(points);
    const y = model.predict(x) as tf.Tensor;
    const written = readNpy(readFileSync(target), 'predictions.npy');
    expect(written.shape).toEqual([48, 2]);
    expect([...written.data]).toEqual([...(await y.data())]);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('predict prints CSV rows, and -o out.csv writes the same; both equal the .npy predictions', async () => {
    const printed = capture();
    expect(await runCli(['predict', at('out/plane.model'), at('points.csv'), '-b', 'cpu'], printed.io)).toBe(1);
    // points.csv has the label column too: the model takes 2 features, not 3.
    expect(printed.err[0]).toMatch(/^brickml predict: .*2.*3/);
    const features = at('features.csv');
    writeFileSync(features, writeTable(points, ['x1', 'x2']));
    const c = capture();
    expect(await runCli(['predict', at('out/plane.model'), features, '-b', 'cpu'], c.io)).toBe(0);
    expect(await runCli(['predict', at('out/plane.model'), features, '-o', at('p.csv'), '-b', 'cpu'], c.io)).toBe(0);
    expect(readFileSync(at('p.csv'), 'utf8')).toBe(`${c.out[0]}\n`);
    await runCli(['predict', at('out/plane.model'), features, '-o', at('p.npy'), '-b', 'cpu'], c.io);
    const npy = readNpy(readFileSync(at('p.npy')), 'p.npy');
    const rows = readTable(c.out[0]!, 'stdout').rows.flat();
    expect(rows.map(Math.fround)).toEqual([...npy.data]);
  });

  test('convert saves a copy that predicts the same and keeps the training state', async () => {
    const c = capture();
    const copy = at('copy.model');
    expect(await runCli(['convert', at('out/plane.model'), copy, '--format', 'brickml'], c.io)).toBe(0);
    expect(c.out).toEqual([`brickml convert: saved ${at('out/plane.model')} to ${copy} as brickml`]);
    await expectSamePredictions(at('out/plane.model'), copy);
    const [original, copied] = [await loadModel(at('out/plane.model')), await loadModel(copy)];
    expect(original.trainingState).not.toBeNull();
    expect(copied.trainingState).toEqual(original.trainingState);
    original.dispose();
    copied.dispose();
  });

  test('convert to tfjs or keras says the training state is not carried', async () => {
    const c = capture();
    const [tfjs, keras] = [at('stateless.tfjs'), at('stateless.keras')];
    expect(await runCli(['convert', at('out/plane.model'), tfjs, '--format', 'tfjs'], c.io)).toBe(0);
    expect(await runCli(['convert', at('out/plane.model'), keras], c.io)).toBe(0);
    expect(await runCli(['convert', keras, at('from-keras.model')], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(c.out).toEqual([
      `brickml convert: saved ${at('out/plane.model')} to ${tfjs} as tfjs (without its training state, which tfjs files cannot carry)`,
      `brickml convert: saved ${at('out/plane.model')} to ${keras} (without its training state, which keras files cannot carry)`,
      `brickml convert: saved ${keras} to ${at('from-keras.model')}`,
    ]);
  });

  test('fit to a .keras file saves it without the training state, and says so', async () => {
    const c = capture();
    const file = { ...trainingFile, fit: { ...fitOptions, epochs: 1 }, output: { model: 'out/plane.keras' } };
    writeFileSync(at('to-keras.json'), JSON.stringify(file));
    expect(await runCli(['fit', at('to-keras.json')], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(c.out).toContain(
      `brickml fit: saved the model to ${at('out/plane.keras')} (without its training state, which keras files cannot carry)`,
    );
    const saved = await loadModel(at('out/plane.keras'));
    expect(saved.trainingState).toBeNull();
    saved.dispose();
  });

  test('fit builds the model before it reads the data: a model error is reported first', async () => {
    const c = capture();
    const file = { ...trainingFile, model: 'out/absent.model', data: { train: { ...source, path: 'absent.csv' } } };
    writeFileSync(at('model-first.json'), JSON.stringify(file));
    const before = tf.memory().numTensors;
    expect(await runCli(['fit', at('model-first.json')], c.io)).toBe(1);
    expect(c.err).toEqual([expect.stringMatching(/^brickml fit: could not read .*out\/absent\.model \(ENOENT/)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('fit disposes the model when the data cannot be read', async () => {
    const c = capture();
    const file = { ...trainingFile, data: { train: { ...source, path: 'absent.csv' } } };
    writeFileSync(at('no-data.json'), JSON.stringify(file));
    const before = tf.memory().numTensors;
    expect(await runCli(['fit', at('no-data.json')], c.io)).toBe(1);
    expect(c.err).toEqual([expect.stringMatching(/^brickml fit: .*data\.train: cannot read .*absent\.csv \(ENOENT/)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('paths that cannot be written are one line naming the path, not a stack trace', async () => {
    const c = capture();
    mkdirSync(at('taken.keras'));
    mkdirSync(at('taken.svg'));
    const file = { ...trainingFile, fit: { ...fitOptions, epochs: 1 }, output: { history: 'taken.svg' } };
    writeFileSync(at('history-on-folder.json'), JSON.stringify(file));
    const underFile = join(at('points.csv'), 'x.model');
    expect(await runCli(['convert', at('out/plane.model'), underFile], c.io)).toBe(1);
    expect(await runCli(['convert', at('out/plane.model'), at('taken.keras')], c.io)).toBe(1);
    expect(await runCli(['fit', at('history-on-folder.json')], c.io)).toBe(1);
    expect(c.err).toEqual([
      expect.stringMatching(new RegExp(`^brickml convert: could not write ${underFile} \\(ENOTDIR`)),
      expect.stringMatching(new RegExp(`^brickml convert: could not write ${at('taken.keras')} \\(EISDIR`)),
      expect.stringMatching(new RegExp(`^brickml fit: could not write ${at('taken.svg')} \\(EISDIR`)),
    ]);
  });

  test('convert to a .keras file and back predicts the same, and summary reads the .keras file', async () => {
    const c = capture();
    const keras = at('plane.keras');
    expect(await runCli(['convert', at('out/plane.model'), keras], c.io)).toBe(0);
    expect(await runCli(['convert', keras, at('back.model')], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    await expectSamePredictions(at('out/plane.model'), at('back.model'));
    const [folder, file] = [capture(), capture()];
    await runCli(['summary', at('out/plane.model')], folder.io);
    expect(await runCli(['summary', keras], file.io)).toBe(0);
    expect(file.out).toEqual(folder.out);
  });

  test('convert to a tfjs-layers folder and back predicts the same, and summary reads the tfjs model.json', async () => {
    const c = capture();
    const tfjs = at('plane.tfjs');
    expect(await runCli(['convert', at('out/plane.model'), tfjs, '--format', 'tfjs'], c.io)).toBe(0);
    expect(JSON.parse(readFileSync(join(tfjs, 'model.json'), 'utf8')).format).toBe('layers-model');
    expect(await runCli(['convert', tfjs, at('back-from-tfjs.model')], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    await expectSamePredictions(at('out/plane.model'), at('back-from-tfjs.model'));
    const [folder, file] = [capture(), capture()];
    await runCli(['summary', at('out/plane.model')], folder.io);
    expect(await runCli(['summary', join(tfjs, 'model.json')], file.io)).toBe(0);
    expect(file.out).toEqual(folder.out);
  });

  test('summary of a saved folder and of its model.json print the table of the spec file', async () => {
    writeFileSync(at('plane.json'), JSON.stringify(modelSpec));
    const [spec, folder, json] = [capture(), capture(), capture()];
    expect(await runCli(['summary', at('plane.json')], spec.io)).toBe(0);
    expect(await runCli(['summary', at('out/plane.model')], folder.io)).toBe(0);
    expect(await runCli(['summary', join(at('out/plane.model'), 'model.json')], json.io)).toBe(0);
    expect(folder.out).toEqual(spec.out);
    expect(json.out).toEqual(spec.out);
  });

  test('plot of a saved folder writes the picture beside it', async () => {
    const c = capture();
    expect(await runCli(['plot', at('out/plane.model')], c.io)).toBe(0);
    expect(readFileSync(at('out/plane.svg'), 'utf8')).toContain('>plane_input (InputLayer)</text>');
    expect(readdirSync(at('out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('evaluate, predict and convert refuse a spec file, which holds no weights', async () => {
    const c = capture();
    expect(await runCli(['predict', at('plane.json'), at('inputs.npy'), '-b', 'cpu'], c.io)).toBe(1);
    expect(await runCli(['convert', at('plane.json'), at('x.model')], c.io)).toBe(1);
    expect(c.err).toEqual([
      `brickml predict: ${at('plane.json')} is a model spec without weights; train it first (brickml fit)`,
      `brickml convert: ${at('plane.json')} is a model spec without weights; train it first (brickml fit)`,
    ]);
  });
});
