import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { runCli } from './commands.js';
import { writeNpy } from './npy.js';

const dir = mkdtempSync(join(tmpdir(), 'brickml-spec-'));
const at = (name: string) => join(dir, name);
writeFileSync(at('good.csv'), 'a,b,label\n1,2,0\n3,4,1\n');
writeFileSync(at('cell.csv'), 'a,b,label\n1,2,0\n4,x,1\n');
writeFileSync(at('ragged.csv'), 'a,b,label\n1,2,0\n4,1\n');
writeFileSync(at('x3.npy'), writeNpy([1, 2, 3, 4, 5, 6], [3, 2]));
writeFileSync(at('y2.npy'), writeNpy([0, 1], [2]));

const good = {
  model: {
    format: 'brickml.model',
    version: 1,
    className: 'Sequential',
    config: { inputShape: [2], layers: [{ className: 'Dense', config: { units: 2 } }] },
  },
  compile: { optimizer: 'adam', loss: 'categoricalCrossentropy' },
  data: { train: { kind: 'csv', path: 'good.csv', label: 'label', oneHot: 2 } },
  backend: 'cpu',
  output: { model: 'out/good.model', history: 'out/good.svg' },
};
const train = (source: object) => ({ ...good, data: { train: source } });
const dense = (config: object) => ({
  ...good.model,
  config: { inputShape: [2], layers: [{ className: 'Dense', config }] },
});

/** A malformed training file and the one line `brickml fit` answers, after "brickml fit: <file>: ". */
const cases: [string, unknown, string][] = [
  ['a missing section', { ...good, data: undefined }, 'data is required'],
  ['an unknown field', { ...good, fit: { epoch: 3 } }, "fit: unknown field(s) 'epoch'"],
  [
    'an unknown optimizer',
    { ...good, compile: { ...good.compile, optimizer: 'adamm' } },
    'compile.optimizer must be an optimizer name (sgd, rmsprop, adam, adamw, adagrad, adadelta, adamax, nadam, lion) or { className, config }, received "adamm"',
  ],
  [
    "an optimizer's bad config",
    { ...good, compile: { ...good.compile, optimizer: { className: 'Adam', config: { learningRate: -1 } } } },
    'compile.optimizer.config.learningRate must be non-negative, received -1',
  ],
  ['an unknown loss', { ...good, compile: { ...good.compile, loss: 'msee' } }, 'compile.loss must be a loss name ('],
  [
    'an unknown metric in a list',
    { ...good, compile: { ...good.compile, metrics: ['accuracy', 'acuracy'] } },
    'compile.metrics[1] must be a metric name (',
  ],
  ['a bad fit option', { ...good, fit: { epochs: 0 } }, 'fit.epochs must be a positive integer, received 0'],
  [
    'a bad validationSplit',
    { ...good, fit: { validationSplit: 1 } },
    'fit.validationSplit must be in [0, 1), received 1',
  ],
  [
    'an unknown callback',
    { ...good, fit: { callbacks: ['EarlyStoping'] } },
    'fit.callbacks[0] must be a callback name (EarlyStopping, ',
  ],
  [
    'an unknown data kind',
    train({ kind: 'parquet' }),
    "data.train.kind must be a data source whose kind is 'mnist', 'csv' or 'npy', received \"parquet\"",
  ],
  ['a data source without its path', train({ kind: 'csv', label: 0 }), 'data.train.path is required'],
  [
    'an unknown backend',
    { ...good, backend: 'gpu' },
    'backend invalid option: expected one of "cpu"|"wasm"|"webgpu"|"tensorflow"|"auto", received "gpu"',
  ],
  [
    'a model that is neither spec nor path',
    { ...good, model: 5 },
    'model must be a model spec or the path of a model file, received 5',
  ],
  [
    'a bad layer config',
    { ...good, model: dense({ units: 0 }) },
    'model.config.layers[0].config.units must be a positive integer, received 0',
  ],
];

async function fitFile(name: string, json: unknown): Promise<{ code: number; err: string[] }> {
  writeFileSync(at(name), typeof json === 'string' ? json : JSON.stringify(json));
  const err: string[] = [];
  const code = await runCli(['fit', at(name)], { out: () => {}, err: (t) => err.push(t), progress: { write() {} } });
  return { code, err };
}

describe('brickml fit refuses a malformed training file with one line naming the file and the field', () => {
  test.each(cases)('%s', async (name, json, message) => {
    const file = `${name.replaceAll(' ', '-').replaceAll("'", '')}.json`;
    const { code, err } = await fitFile(file, json);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(`brickml fit: ${at(file)}: ${message}`);
  });

  test('a file that is not JSON', async () => {
    const { code, err } = await fitFile('broken.json', '{ "model": ');
    expect(code).toBe(1);
    expect(err).toEqual([`brickml fit: could not read ${at('broken.json')} as JSON (Unexpected end of JSON input)`]);
  });

  test('a missing data file, a cell that is not a number, a ragged row, mismatched .npy files', async () => {
    const results = [
      await fitFile('missing.json', train({ kind: 'csv', path: 'nope.csv', label: 0 })),
      await fitFile('cell.json', train({ kind: 'csv', path: 'cell.csv', label: 'label' })),
      await fitFile('ragged.json', train({ kind: 'csv', path: 'ragged.csv', label: 'label' })),
      await fitFile('label.json', train({ kind: 'csv', path: 'good.csv', label: 'digit' })),
      await fitFile('npy.json', train({ kind: 'npy', x: 'x3.npy', y: 'y2.npy' })),
    ];
    expect(results.map((r) => r.code)).toEqual([1, 1, 1, 1, 1]);
    const source = (file: string) => `brickml fit: ${at(file)}: data.train: `;
    expect(results.map((r) => r.err.join('|'))).toEqual([
      expect.stringMatching(/^brickml fit: .*missing\.json: data\.train: cannot read .*nope\.csv \(ENOENT/),
      `${source('cell.json')}${at('cell.csv')}: row 3, column 'b' must be a number, received "x"`,
      `${source('ragged.json')}${at('ragged.csv')}: row 3 has 2 fields, the first row has 3`,
      `${source('label.json')}label 'digit' is not a column of ${at('good.csv')} (a, b, label)`,
      `${source('npy.json')}x and y must hold as many examples (first axis), received shapes (3, 2) and (2)`,
    ]);
  });

  test('a model spec without a compile section is refused', async () => {
    const { code, err } = await fitFile('nocompile.json', { ...good, compile: undefined });
    expect(code).toBe(1);
    expect(err).toEqual([`brickml fit: ${at('nocompile.json')}: compile must be given: the model is a spec`]);
  });

  test('data that does not fit the model is refused by fit, leaving no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const model = {
      ...good.model,
      config: { inputShape: [3], layers: [{ className: 'Dense', config: { units: 2 } }] },
    };
    const { code, err } = await fitFile('shape.json', { ...good, model });
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/^brickml fit: Sequential '\w+'\.fit: x must have shape \[null, 3\], received \[2, 2\]$/),
    ]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
