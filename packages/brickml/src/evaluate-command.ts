/** `brickml evaluate <model> <train.json | data.json>`: the saved model's loss and metrics on held-out data. */
import { dirname, resolve } from 'node:path';
import { type BackendName, BrickError, useBackend } from '@brickml/core';
import type { Model } from '@brickml/models';
import { type CliIO, readJson, withoutSchema } from './cli-io.js';
import { DataSource, loadExamples } from './data-source.js';
import { formatLogs } from './fit-command.js';
import { readTrainedModel } from './model-files.js';
import { parseSpec } from './parse-spec.js';
import { TrainingSpec } from './training-spec.js';

export async function evaluateCommand(
  modelPath: string,
  dataFile: string,
  io: CliIO,
  backend?: BackendName | 'auto',
): Promise<number> {
  const who = 'brickml evaluate';
  const json = withoutSchema(await readJson(dataFile, who));
  const isSource = typeof json === 'object' && json !== null && 'kind' in json;
  // A data source file, or a training file whose test (else validation) data and compile section serve.
  const spec = isSource ? null : parseSpec(dataFile, TrainingSpec, json);
  const source = isSource ? parseSpec(dataFile, DataSource, json) : (spec?.data.test ?? spec?.data.validation);
  if (!source) throw new BrickError(`${dataFile}: data.test or data.validation must be given to evaluate on`, dataFile);
  await useBackend(backend ?? spec?.backend ?? 'auto');
  const key = spec?.data.test ? 'data.test' : 'data.validation';
  const { x, y } = await loadExamples(source, isSource ? dataFile : `${dataFile}: ${key}`, dirname(resolve(dataFile)));
  let model: Model | null = null;
  try {
    model = await readTrainedModel(modelPath, who);
    if (spec?.compile) model.compile(spec.compile);
    else if (!model.isCompiled) {
      throw new BrickError(
        `${who}: ${modelPath} was saved without a training configuration; give a training file with a compile section`,
        who,
      );
    }
    io.out(formatLogs(await model.evaluate(x, y, { batchSize: spec?.fit.batchSize })));
    return 0;
  } finally {
    model?.dispose();
    x.dispose();
    y.dispose();
  }
}
