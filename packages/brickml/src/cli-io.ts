/** What every command shares: where it writes, how it reads JSON and writes files without leaving half of one. */
import { readFile } from 'node:fs/promises';
import { BrickError } from '@brickml/core';
import { fileSystem, type ProgressStream, writeFileAtomic } from '@brickml/models';

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

/**
 * True for an error of the operating system's file calls (ENOENT, EACCES, EISDIR, ENOTDIR, ENOSPC, ...):
 * a path the user gave that cannot be read or written, not a bug of brickml's.
 */
export function isFileError(e: unknown): e is NodeJS.ErrnoException {
  const { code, syscall } = (e ?? {}) as { code?: unknown; syscall?: unknown };
  return e instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof syscall === 'string';
}

/**
 * Runs `step` on the user's `path`; a file error becomes one BrickError naming the path
 * ("brickml fit: could not write out/plane.model (ENOTDIR: not a directory, mkdir 'out/plane.model')").
 */
export async function onPath<T>(who: string, verb: string, path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (!isFileError(e)) throw e;
    throw new BrickError(`${who}: could not ${verb} ${path} (${e.message})`, who);
  }
}

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

/**
 * Writes the file whole or not at all (a flushed temporary file renamed over it, as model saves do); a file
 * error is a BrickError naming the target.
 */
export function writeAtomic(target: string, data: string | Uint8Array, who: string): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return onPath(who, 'write', target, () => writeFileAtomic(fileSystem(who), target, bytes));
}
