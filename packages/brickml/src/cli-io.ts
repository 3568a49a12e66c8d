/** What every command shares: where it writes, how it reads JSON and writes files without leaving half of one. */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BrickError } from '@brickml/core';
import type { ProgressStream } from '@brickml/models';

/** Where the CLI writes: stdout and stderr by default, collectors in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Where fit's progress goes. Default: fit's own (stdout, a live bar in a terminal). */
  progress?: ProgressStream;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The parsed JSON of a file, or a BrickError naming it. */
export async function readJson(file: string, who: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new BrickError(`${who}: could not read ${file} as JSON (${message(e)})`, who);
  }
}

/** The object without its `$schema` key, which editors use and brickml ignores. */
export function withoutSchema(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('$schema' in json)) return json;
  const { $schema: _, ...rest } = json as Record<string, unknown>;
  return rest;
}

/** Writes beside the target, then renames over it: a reader never sees half a file. */
export async function writeAtomic(target: string, data: string | Uint8Array, who: string): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw new BrickError(`${who}: could not write ${target} (${message(e)})`, who);
  }
}
