import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { BACKENDS, BrickError, useBackend } from '@brickml/core';
import { Sequential } from '@brickml/models';

export const HELP = `Usage: brickml <command> [options]

Commands:
  summary <spec.json>   Build the Sequential model a spec file describes and print its summary table
  backends              Try to load every backend (cpu, wasm, webgpu, tensorflow) and say which work

Options:
  -h, --help            Show this help
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

async function summary(file: string, io: CliIO): Promise<number> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    io.err(`brickml summary: could not read ${file} as JSON (${e instanceof Error ? e.message : String(e)})`);
    return 1;
  }
  // Building creates the weights; the summary needs no faster backend than cpu.
  await useBackend('cpu');
  const model = Sequential.fromSpec(json);
  model.summary(io.out);
  model.dispose();
  return 0;
}

async function backends(io: CliIO): Promise<number> {
  let loaded = 0;
  for (const name of BACKENDS) {
    try {
      const info = await useBackend(name);
      loaded++;
      io.out(`${name.padEnd(11)} ok${info.adapter ? ` (${info.adapter} adapter)` : ''}`);
    } catch (e) {
      io.out(`${name.padEnd(11)} unavailable: ${e instanceof Error ? e.message : String(e)}`);
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
    io.err(`brickml: ${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    io.out(HELP);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  try {
    if (command === 'summary' && rest.length === 1) return await summary(rest[0]!, io);
    if (command === 'backends' && rest.length === 0) return await backends(io);
  } catch (e) {
    if (e instanceof BrickError) {
      io.err(e.message);
      return 1;
    }
    throw e;
  }
  const known = command === 'summary' || command === 'backends';
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
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
}
