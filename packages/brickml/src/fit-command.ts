/** `brickml fit train.json`: validate the whole file, build and compile the model, read the data, fit, evaluate, save. */
import { basename, dirname, extname, resolve } from 'node:path';
import { type BackendName, BrickError, setSeed, useBackend } from '@brickml/core';
import {
  type Callback,
  type CallbackSpec,
  callbackFromSpec,
  formatValue,
  type Logs,
  type Model,
  modelFromSpec,
  ProgressLogger,
} from '@brickml/models';
import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import { type CliIO, onPath, readJson, writeAtomic } from './cli-io.js';
import { type Examples, loadExamples } from './data-source.js';
import { readModel, saveFormat, stateNote } from './model-files.js';
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

/**
 * The model the file describes, compiled by its compile section or by the saved model's own configuration.
 * With fit.resume, a saved model that is compiled keeps its compile configuration and optimizer state, as
 * Keras' BackupAndRestore does: compiling again would start a fresh optimizer. A compile section beside it
 * is then not applied, and `io` is told so.
 */
export async function trainingModel(file: string, spec: Spec, who: string, io?: CliIO): Promise<Model> {
  const base = dirname(resolve(file));
  const model =
    typeof spec.model === 'string'
      ? (await readModel(resolve(base, spec.model), who)).model
      : modelFromSpec(spec.model);
  try {
    const resume = spec.fit.resume ?? false;
    if (resume && !model.trainingState) {
      throw new BrickError(
        `${file}: fit.resume needs a saved model that holds a training state, ${typeof spec.model === 'string' ? `${spec.model} has none` : 'model is a spec'}`,
        file,
      );
    }
    if (resume && model.isCompiled) {
      if (spec.compile) {
        io?.out(
          `${who}: fit.resume continues with the optimizer state, loss and metrics saved in ${spec.model}; compile in ${file} is not applied`,
        );
      }
    } else if (spec.compile) model.compile(spec.compile);
    else if (!model.isCompiled) {
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
  const { callbacks: callbackSpecs = [], verbose = 1, resume = false, ...options } = spec.fit;
  // The model and the callbacks before the data: a mistake in them shows before seconds of reading.
  const model = await trainingModel(file, spec, who, io);
  const owned: tf.Tensor[] = [];
  try {
    const progress = io.progress ? [new ProgressLogger({ verbose, stream: io.progress })] : [];
    const callbacks = [...progress, ...callbackSpecs.map((c) => callbackFor(c, base))];
    const load = async (key: 'train' | 'validation' | 'test'): Promise<Examples | null> => {
      const source = spec.data[key];
      if (!source) return null;
      const examples = await loadExamples(source, `${file}: data.${key}`, base);
      owned.push(examples.x, examples.y);
      return examples;
    };
    const train = (await load('train')) as Examples;
    const validation = await load('validation');
    const test = await load('test');
    const history = await model.fit(train.x, train.y, {
      ...options,
      verbose: io.progress ? 0 : verbose,
      callbacks,
      ...(resume ? { trainingState: model.trainingState } : {}),
      ...(validation ? { validationData: [validation.x, validation.y] as [tf.Tensor, tf.Tensor] } : {}),
    });
    if (test) io.out(`test: ${formatLogs(await model.evaluate(test.x, test.y, { batchSize: options.batchSize }))}`);
    const format = saveFormat(paths.model, spec.output.format);
    // Only brickml's format holds the training state; the others refuse it rather than drop it.
    const trainingState = format === 'brickml' ? (history.trainingState ?? undefined) : undefined;
    await onPath(who, 'write', paths.model, () => model.save(paths.model, { format, trainingState }));
    io.out(`${who}: saved the model to ${paths.model}${stateNote(format, history.trainingState)}`);
    await writeAtomic(paths.history, `${history.toSVG()}\n`, who);
    io.out(`${who}: wrote the history chart to ${paths.history}`);
    return 0;
  } finally {
    model.dispose();
    for (const t of owned) t.dispose();
  }
}
