/** The brickml CLI: parses the arguments, runs one command, and turns a user's mistake into one line and exit 1. */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { BACKENDS, type BackendName, BrickError, useBackend } from '@brickml/core';
import { SAVE_FORMATS } from '@brickml/models';
import { type CliIO, isFileError, message, processIO } from './cli-io.js';
import { evaluateCommand } from './evaluate-command.js';
import { fitCommand } from './fit-command.js';
import { COMMAND_HELP, HELP } from './help.js';
import { convertCommand, plotCommand, summaryCommand } from './model-commands.js';
import type { Format } from './model-files.js';
import { predictCommand } from './predict-command.js';

export type { CliIO } from './cli-io.js';
export { COMMAND_HELP, HELP } from './help.js';

/** brickml's version, from its package.json (one folder above src/ and dist/ alike). */
export const VERSION: string = createRequire(import.meta.url)('../package.json').version;

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

/** Positional arguments each command takes: [fewest, most]. */
const ARITY: Readonly<Record<string, [number, number]>> = {
  fit: [1, 1],
  evaluate: [2, 2],
  predict: [2, 2],
  summary: [1, 1],
  plot: [1, 1],
  convert: [2, 2],
  backends: [0, 0],
};

/** Which commands take which options. */
const TAKES: Readonly<Record<string, readonly string[]>> = {
  output: ['plot', 'predict'],
  format: ['convert'],
  backend: ['fit', 'evaluate', 'predict'],
};

/** 'fit, evaluate and predict'. */
const words = (list: readonly string[]) =>
  list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list.join('');

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      output: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      backend: { type: 'string', short: 'b' },
    },
    allowPositionals: true,
  });
}

function run(command: string, args: string[], values: ReturnType<typeof parse>['values'], io: CliIO): Promise<number> {
  const backend = values.backend as BackendName | 'auto' | undefined;
  const [a = '', b = ''] = args;
  switch (command) {
    case 'fit':
      return fitCommand(a, io, backend);
    case 'evaluate':
      return evaluateCommand(a, b, io, backend);
    case 'predict':
      return predictCommand(a, b, values.output, io, backend);
    case 'summary':
      return summaryCommand(a, io);
    case 'plot':
      return plotCommand(a, values.output, io);
    case 'convert':
      return convertCommand(a, b, values.format as Format | undefined, io);
    default:
      return backends(io);
  }
}

/**
 * Runs the brickml CLI on `argv` (the arguments after the program name) and resolves to the exit code:
 * 0 done, 1 a file or value the command refused (one line on stderr), 2 a command line it cannot parse.
 *
 * @example
 * process.exitCode = await runCli(['fit', 'train.json']);
 */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    io.err(`brickml: ${message(e)}\n\n${HELP}`);
    return 2;
  }
  const { values } = parsed;
  const [command, ...rest] = parsed.positionals;
  if (values.version) {
    io.out(VERSION);
    return 0;
  }
  if (command === 'help' && rest.length === 1 && COMMAND_HELP[rest[0]!]) {
    io.out(COMMAND_HELP[rest[0]!]!);
    return 0;
  }
  if (command !== undefined && values.help && COMMAND_HELP[command]) {
    io.out(COMMAND_HELP[command]);
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    io.out(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  const arity = ARITY[command];
  if (!arity) {
    io.err(`brickml: unknown command '${command}'\n\n${HELP}`);
    return 2;
  }
  const usage = `\n\n${COMMAND_HELP[command]}`;
  if (rest.length < arity[0] || rest.length > arity[1]) {
    io.err(`brickml ${command}: wrong number of arguments, received ${rest.length}${usage}`);
    return 2;
  }
  for (const [option, commands] of Object.entries(TAKES)) {
    if (values[option as keyof typeof values] !== undefined && !commands.includes(command)) {
      io.err(`brickml ${command}: --${option} applies to ${words(commands)} only${usage}`);
      return 2;
    }
  }
  if (values.format !== undefined && !(SAVE_FORMATS as readonly string[]).includes(values.format)) {
    io.err(`brickml ${command}: --format must be one of ${SAVE_FORMATS.join(', ')}, received '${values.format}'`);
    return 2;
  }
  const names: readonly string[] = [...BACKENDS, 'auto'];
  if (values.backend !== undefined && !names.includes(values.backend)) {
    io.err(`brickml ${command}: --backend must be one of ${names.join(', ')}, received '${values.backend}'`);
    return 2;
  }
  try {
    return await run(command, rest, values, io);
  } catch (e) {
    // A file the user named that cannot be read or written is their mistake too (its message names the
    // path); anything else is a bug, whose stack trace is wanted.
    if (!(e instanceof BrickError) && !isFileError(e)) throw e;
    const prefix = `brickml ${command}`;
    io.err(e.message.startsWith(prefix) ? e.message : `${prefix}: ${e.message}`);
    return 1;
  }
}
