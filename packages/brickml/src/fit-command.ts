/** `brickml fit train.json`: validate the whole file, read the data, build, compile, fit, evaluate, save. */
import { basename, dirname, extname, resolve } from 'node:path';
import { type BackendName, BrickError, setSeed, useBackend } from '@brickml/core';
import {
  type Callback,
  type CallbackSpec,
  type CompileArgs,
  callbackFromSpec,
  formatValue,
  type Logs,
  type Model,
  modelFromSpec,
  ProgressLogger,
} from '@brickml/models';
import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { type CliIO, readJson, writeAtomic } from './cli-io.js';
import { type Examples, loadExamples } from './data-source.js';
import { isCompiled, readModel } from './model-files.js';
import { parseSpec } from './parse-spec.js';
import { TrainingSpec } from './training-spec.js';

type Spec = z.output<typeof TrainingSpec>;

/** The training file, validated: every field's error names the file and its JSON path. */
export async function readTrainingSpec(file: string, who: string): Promise<Spec> {
  return parseSpec(file, TrainingSpec, await readJson(file, who));
}

/** Where the results go, relative to the training file: `<name>.model` (or .keras) and `<name>.history.svg`. */
export function outputPaths(file: string, spec: Spec): { model: string; history: string } {
  const base = dirname(resolve(file));
  const name = basename(file, extname(file));
  const model = spec.output.model ?? `${name}.${spec.output.format === 'keras' ? 'keras' : 'model'}`;
  return { model: resolve(base, model), history: resolve(base, spec.output.history ?? `${name}.history.svg`) };
}

/** Config fields that name files (CSVLogger's filename, a checkpoint's filepath): relative to the training file. */
const PATH_FIELDS = ['filename', 'filepath', 'backupDir'];

function callbackFor(spec: string | { className: string; config?: object }, base: string): Callback {
  if (typeof spec === 'string' || !spec.config) return callbackFromSpec(spec as CallbackSpec);
  const config = Object.fromEntries(
    Object.entries(spec.config).map(([k, v]) => [
      k,
      PATH_FIELDS.includes(k) && typeof v === 'string' ? resolve(base, v) : v,
    ]),
  );
  return callbackFromSpec({ ...spec, config } as CallbackSpec);
}

/** The model the file describes, compiled by its compile section or by the saved model's own configuration. */
export async function trainingModel(file: string, spec: Spec, who: string): Promise<Model> {
  const base = dirname(resolve(file));
  const model =
    typeof spec.model === 'string'
      ? (await readModel(resolve(base, spec.model), who)).model
      : modelFromSpec(spec.model);
  try {
    if (spec.compile) model.compile(spec.compile as CompileArgs);
    else if (!isCompiled(model)) {
      throw new BrickError(
        `${file}: compile must be given: the model ${typeof spec.model === 'string' ? `at ${spec.model} was saved without a training configuration` : 'is a spec'}`,
        file,
      );
    }
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Logs as Keras prints them: "loss: 0.1234 - accuracy: 0.9700". */
export const formatLogs = (logs: Logs) =>
  Object.entries(logs)
    .map(([k, v]) => `${k}: ${formatValue(v)}`)
    .join(' - ');

export async function fitCommand(file: string, io: CliIO, backend?: BackendName | 'auto'): Promise<number> {
  const who = 'brickml fit';
  const spec = await readTrainingSpec(file, who);
  const base = dirname(resolve(file));
  const paths = outputPaths(file, spec);
  await useBackend(backend ?? spec.backend);
  if (spec.seed !== undefined) setSeed(spec.seed);
  const owned: tf.Tensor[] = [];
  const load = async (key: 'train' | 'validation' | 'test'): Promise<Examples | null> => {
    const source = spec.data[key];
    if (!source) return null;
    const examples = await loadExamples(source, `${file}: data.${key}`, base);
    owned.push(examples.x, examples.y);
    return examples;
  };
  let model: Model | null = null;
  try {
    const train = (await load('train')) as Examples;
    const validation = await load('validation');
    const test = await load('test');
    model = await trainingModel(file, spec, who);
    const { callbacks = [], verbose = 1, resume = false, ...options } = spec.fit;
    if (resume && !model.trainingState) {
      throw new BrickError(
        `${file}: fit.resume needs a saved model that holds a training state, ${typeof spec.model === 'string' ? `${spec.model} has none` : 'model is a spec'}`,
        file,
      );
    }
    const progress = io.progress ? [new ProgressLogger({ verbose, stream: io.progress })] : [];
    const history = await model.fit(train.x, train.y, {
      ...options,
      verbose: io.progress ? 0 : verbose,
      callbacks: [...progress, ...callbacks.map((c) => callbackFor(c, base))],
      ...(resume ? { trainingState: model.trainingState } : {}),
      ...(validation ? { validationData: [validation.x, validation.y] as [tf.Tensor, tf.Tensor] } : {}),
    });
    if (test) io.out(`test: ${formatLogs(await model.evaluate(test.x, test.y, { batchSize: options.batchSize }))}`);
    const trainingState = history.trainingState ?? undefined;
    await model.save(paths.model, { ...(spec.output.format ? { format: spec.output.format } : {}), trainingState });
    io.out(`${who}: saved the model to ${paths.model}`);
    await writeAtomic(paths.history, `${history.toSVG()}\n`, who);
    io.out(`${who}: wrote the history chart to ${paths.history}`);
    return 0;
  } finally {
    model?.dispose();
    for (const t of owned) t.dispose();
  }
}
