/** `brickml predict <model> <input> [-o out]`: one row of outputs per example, as CSV or .npy. */
import { extname } from 'node:path';
import { type BackendName, BrickError, useBackend } from '@brickml/core';
import type { Model } from '@brickml/models';
import type * as tf from '@tensorflow/tfjs-core';
import { type CliIO, writeAtomic } from './cli-io.js';
import { writeTable } from './csv.js';
import { loadInputs } from './data-source.js';
import { readTrainedModel } from './model-files.js';
import { writeNpy } from './npy.js';

export async function predictCommand(
  modelPath: string,
  inputFile: string,
  output: string | undefined,
  io: CliIO,
  backend: BackendName | 'auto' = 'auto',
): Promise<number> {
  const who = 'brickml predict';
  const format = output === undefined || output === '-' ? 'stdout' : extname(output).toLowerCase();
  if (format !== 'stdout' && format !== '.npy' && format !== '.csv') {
    throw new BrickError(`${who}: -o must name a .npy or .csv file, received ${output}`, who);
  }
  await useBackend(backend);
  const x = await loadInputs(inputFile, who);
  let model: Model | null = null;
  let y: tf.Tensor | null = null;
  try {
    model = await readTrainedModel(modelPath, who);
    if (model.outputNames.length !== 1) {
      throw new BrickError(`${who}: predict writes one output, ${modelPath} has ${model.outputNames.length}`, who);
    }
    y = model.predict(x) as tf.Tensor;
    const values = await y.data();
    if (format === '.npy') await writeAtomic(output as string, writeNpy(values, y.shape), who);
    else {
      const width = y.shape.slice(1).reduce((n, d) => n * d, 1);
      const rows = Array.from({ length: y.shape[0] ?? 0 }, (_, i) => values.subarray(i * width, (i + 1) * width));
      const text = writeTable(rows);
      if (format === 'stdout') io.out(text.trimEnd());
      else await writeAtomic(output as string, text, who);
    }
    if (format !== 'stdout') io.out(`${who}: wrote ${y.shape[0]} predictions to ${output}`);
    return 0;
  } finally {
    model?.dispose();
    y?.dispose();
    x.dispose();
  }
}
