/** summary, plot and convert: commands on a model file alone. */
import { basename, dirname, extname, join } from 'node:path';
import { useBackend } from '@brickml/core';
import { type CliIO, onPath, writeAtomic } from './cli-io.js';
import { type Format, readModel, readTrainedModel, saveFormat, stateNote } from './model-files.js';

export async function summaryCommand(file: string, io: CliIO): Promise<number> {
  // Building creates the weights; neither the summary nor the picture needs a faster backend than cpu.
  await useBackend('cpu');
  const { model } = await readModel(file, 'brickml summary');
  model.summary(io.out);
  model.dispose();
  return 0;
}

/** Where plot writes by default: beside the file or folder, named like it with .svg. */
function pictureBeside(file: string): string {
  const trimmed = file.replace(/[/\\]+$/, '');
  return join(dirname(trimmed), `${basename(trimmed, extname(trimmed))}.svg`);
}

export async function plotCommand(file: string, output: string | undefined, io: CliIO): Promise<number> {
  await useBackend('cpu');
  const { model } = await readModel(file, 'brickml plot');
  const svg = model.toSVG();
  model.dispose();
  if (output === '-') {
    io.out(svg.trimEnd());
    return 0;
  }
  const target = output ?? pictureBeside(file);
  await writeAtomic(target, svg, 'brickml plot');
  io.out(`brickml plot: wrote ${target}`);
  return 0;
}

export async function convertCommand(from: string, to: string, format: Format | undefined, io: CliIO): Promise<number> {
  const who = 'brickml convert';
  await useBackend('cpu');
  const model = await readTrainedModel(from, who);
  const written = saveFormat(to, format);
  try {
    // The run's progress goes along where the format can hold it, so fit.resume continues from the copy.
    const trainingState = written === 'brickml' ? (model.trainingState ?? undefined) : undefined;
    await onPath(who, 'write', to, () => model.save(to, { format: written, trainingState }));
    io.out(`${who}: saved ${from} to ${to}${format ? ` as ${format}` : ''}${stateNote(written, model.trainingState)}`);
  } finally {
    model.dispose();
  }
  return 0;
}
