/**
 * The playground: stack bricks or edit the spec (validated as you type), read the summary, train on MNIST
 * digits with a live chart, inspect the test predictions, draw a digit, download the spec and the model.
 */
import './style.css';
import * as tf from '@tensorflow/tfjs-core';
import { type Model, setSeed } from 'brickml';
import { type PageBackend, selectBackend } from './backend.js';
import { TrainingChart } from './chart.js';
import { type Digits, firstDigits, loadDigits } from './data.js';
import { DEFAULT_SPEC, specText } from './default-spec.js';
import { downloadModel, downloadSpec } from './downloads.js';
import { DrawPad } from './draw-pad.js';
import { confusion, renderConfusion, renderSamples } from './results.js';
import { SpecEditor } from './spec-editor.js';
import { Stacker } from './stacker.js';
import { accuracy, type TrainSettings, train } from './training.js';
import { checkSpec } from './validate.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const value = (id: string) => $<HTMLInputElement>(id).value;
const seed = () => Number(value('seed')) || 0;

let model: Model | null = null;
let busy = false;
let digits: { train: Digits; test: Digits } | null = null;

function status(state: 'loading' | 'ready' | 'invalid' | 'training' | 'trained' | 'error', text: string): void {
  Object.assign($('status'), { textContent: text }).dataset.state = state;
  $<HTMLButtonElement>('train').disabled = busy || !model || !digits;
  $<HTMLButtonElement>('download-model').disabled = busy || !model;
}

function modelName(): string {
  return model?.name ?? 'model';
}

/** Validates the spec text, shows the issues everywhere, and builds the model when it is valid. */
function specChanged(text: string, from: 'editor' | 'stacker' | 'start'): void {
  if (busy) return;
  editor.text = text;
  const checked = checkSpec(text, seed());
  if (from !== 'stacker' && checked.json !== undefined) stacker.render(checked.json);
  const issues = checked.ok ? [] : checked.issues;
  editor.showIssues(issues);
  stacker.showIssues(issues);
  if (!checked.ok) {
    status('invalid', `The spec has ${issues.length} issue(s).`);
    return;
  }
  model?.dispose();
  model = checked.model;
  $('summary').textContent = model.summary(() => {});
  status('ready', digits ? 'Ready to train.' : 'Loading the digits...');
}

const editor = new SpecEditor($<HTMLTextAreaElement>('spec'), (text) => specChanged(text, 'editor'));
const stacker = new Stacker($('stacker'), (json) => specChanged(specText(json), 'stacker'));
const chart = new TrainingChart($<HTMLCanvasElement>('chart'));
const pad = new DrawPad($<HTMLCanvasElement>('pad'), () => void classifyDrawing());

async function classifyDrawing(): Promise<void> {
  const pixels = pad.digit();
  if (!model || !pixels) return;
  const x = tf.tensor(pixels, [1, ...((model.inputShapes?.[0] ?? [784]) as number[])]);
  const p = model.predict(x) as tf.Tensor;
  const probs = Array.from(await p.data());
  tf.dispose([x, p]);
  const best = probs.indexOf(Math.max(...probs));
  $('pad-prediction').textContent = String(best);
  $('pad-bars').replaceChildren(
    ...probs.map((v, d) => {
      const bar = document.createElement('div');
      bar.style.setProperty('--p', String(v));
      bar.textContent = String(d);
      return bar;
    }),
  );
}

async function runTraining(): Promise<void> {
  if (!model || !digits || busy) return;
  busy = true;
  status('training', 'Training...');
  const s: TrainSettings = {
    epochs: Number(value('epochs')),
    batchSize: Number(value('batch-size')),
    optimizer: value('optimizer') as TrainSettings['optimizer'],
    learningRate: Number(value('learning-rate')),
  };
  const data = {
    train: firstDigits(digits.train, Number(value('digits'))),
    test: digits.test,
    probe: firstDigits(digits.test, 300),
  };
  setSeed(seed()); // the shuffling and the dropout masks
  const started = performance.now();
  try {
    const predicted = await train(model, data, s, chart);
    const seconds = (performance.now() - started) / 1000;
    const acc = accuracy(predicted, data.test.labels);
    Object.assign($('accuracy'), { textContent: `${(acc * 100).toFixed(1)}%` }).dataset.accuracy = String(acc);
    $('train-info').textContent =
      `${data.train.count} digits × ${s.epochs} epoch(s) in ${seconds.toFixed(1)} s on ${tf.getBackend()}; ` +
      `accuracy on ${data.test.count} test digits:`;
    renderConfusion($<HTMLTableElement>('confusion'), confusion(predicted, data.test.labels));
    renderSamples($('samples'), data.test, predicted);
    busy = false;
    status('trained', 'Trained.');
    await classifyDrawing();
  } catch (e) {
    busy = false;
    status('error', e instanceof Error ? e.message : String(e));
  }
}

async function start(): Promise<void> {
  status('loading', 'Loading the backend...');
  const wanted = (new URLSearchParams(location.search).get('backend') ?? 'best') as PageBackend | 'best';
  const backend = await selectBackend(wanted);
  $<HTMLSelectElement>('backend').value = backend;
  specChanged(specText(DEFAULT_SPEC), 'start');
  const [train, test] = await Promise.all([loadDigits('train'), loadDigits('test')]);
  digits = { train, test };
  $<HTMLInputElement>('digits').max = String(train.count);
  if (model) status('ready', 'Ready to train.');
}

$('train').addEventListener('click', () => void runTraining());
$('pad-clear').addEventListener('click', () => {
  pad.clear();
  $('pad-prediction').textContent = '';
  $('pad-bars').replaceChildren();
});
$('download-spec').addEventListener('click', () => downloadSpec(editor.text, modelName()));
$('download-model').addEventListener('click', () => {
  if (model)
    downloadModel(model, modelName()).catch((e) => status('error', `Download: ${e instanceof Error ? e.message : e}`));
});
$('seed').addEventListener('change', () => specChanged(editor.text, 'start'));
$('backend').addEventListener('change', () => {
  selectBackend(value('backend') as PageBackend).then(
    () => specChanged(editor.text, 'start'), // fresh weights on the new backend
    (e) => status('error', e instanceof Error ? e.message : String(e)),
  );
});
start().catch((e) => status('error', e instanceof Error ? e.message : String(e)));
