import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKENDS, BrickError, useBackend } from '@brickml/core';
import { type Model, modelFromSpec } from '@brickml/models';

export const HELP = `Usage: brickml <command> [options]

Commands:
  summary <spec.json>            Print the summary table of the model a spec file describes (Sequential or functional)
  plot <spec.json> [-o out.svg]  Draw that model as an SVG picture, as Keras' plot_model does (default: beside the
                                 spec, named like it with .svg)
  backends                       Try to load every backend (cpu, wasm, webgpu, tensorflow) and say which work

Options:
  -o, --output <file>            Where plot writes the picture (- for stdout)
  -h, --help                     Show this help
`;

/** Where the CLI writes: stdout and stderr by default, collectors in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: CliIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Builds the model a spec file describes; null (the error reported) when the file is not JSON. */
async function loadSpec(command: string, file: string, io: CliIO): Promise<Model | null> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    io.err(`brickml ${command}: could not read ${file} as JSON (${message(e)})`);
    return null;
  }
  // Building creates the weights; neither the summary nor the picture needs a faster backend than cpu.
  await useBackend('cpu');
  return modelFromSpec(json);
}

async function summary(file: string, io: CliIO): Promise<number> {
  const model = await loadSpec('summary', file, io);
  if (!model) return 1;
  model.summary(io.out);
  model.dispose();
  return 0;
}

async function plot(file: string, output: string | undefined, io: CliIO): Promise<number> {
  const model = await loadSpec('plot', file, io);
  if (!model) return 1;
  const svg = model.toSVG();
  model.dispose();
  if (output === '-') {
    io.out(svg.trimEnd());
    return 0;
  }
  const target = output ?? join(dirname(file), `${basename(file, extname(file))}.svg`);
  // Written beside the target, then renamed over it: a reader never sees half a picture.
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, svg, 'utf8');
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    io.err(`brickml plot: could not write ${target} (${message(e)})`);
    return 1;
  }
  io.out(`brickml plot: wrote ${target}`);
  return 0;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function backends(io: CliIO): Promise<number> {
  let loaded = 0;
  for (const name of BACKENDS) {
    try {
      const info = await useBackend(name);
      loaded++;
      io.out(`${name.padEnd(11)} ok${info.adapter ? ` (${info.adapter} adapter)` : ''}`);
    } catch (e) {
      io.out(`${name.padEnd(11)} unavailable: ${message(e)}`);
    }
  }
  return loaded > 0 ? 0 : 1;
}

/**
 * Runs the brickml CLI on `argv` (the arguments after the program name) and resolves to the exit code.
 *
 * @example
 * process.exitCode = await runCli(['summary', 'model.json']);
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.err(`brickml: ${message(e)}\n\n${HELP}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    io.out(HELP);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  const { output } = parsed.values;
  const known = ['summary', 'plot', 'backends'].includes(command);
  if (known && output !== undefined && command !== 'plot') {
    io.err(`brickml ${command}: -o/--output applies to plot only\n\n${HELP}`);
    return 2;
  }
  try {
    if (command === 'summary' && rest.length === 1) return await summary(rest[0]!, io);
    if (command === 'plot' && rest.length === 1) return await plot(rest[0]!, output, io);
    if (command === 'backends' && rest.length === 0) return await backends(io);
  } catch (e) {
    if (e instanceof BrickError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
  io.err(
    known
      ? `brickml ${command}: wrong number of arguments, received ${rest.length}\n\n${HELP}`
      : `brickml: unknown command '${command}'\n\n${HELP}`,
  );
  return 2;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: { help: { type: 'boolean', short: 'h' }, output: { type: 'string', short: 'o' } },
    allowPositionals: true,
  });
}
