/**
 * The file operations saving needs, behind a seam: the Node entry (`node.ts`) installs an implementation on
 * node:fs, so the main entry imports no `node:` module and bundles for browsers. Every write goes through
 * `writeFile` + `rename`, the two steps the crash-safety argument rests on (see folder-handler.ts).
 */
import { BrickError } from '@brickml/core';

export interface FileSystem {
  /** The file's bytes; rejects with an Error whose `code` is 'ENOENT' when it does not exist. */
  readFile(path: string): Promise<Uint8Array>;
  /** Writes the bytes and flushes them to the disk before resolving. */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** Atomically replaces `to` with `from` (POSIX rename), then flushes the folder entry. */
  rename(from: string, to: string): Promise<void>;
  /** Names in the folder; [] when it does not exist. */
  readdir(dir: string): Promise<string[]>;
  /** Removes a file; no error when it is already gone. */
  remove(path: string): Promise<void>;
  /** Creates the folder and its parents when missing. */
  mkdir(dir: string): Promise<void>;
  /** 'file', 'dir', or null when nothing is there. */
  kind(path: string): Promise<'file' | 'dir' | null>;
  join(...parts: string[]): string;
  /** The absolute form of a path (the key that tells two spellings of one folder apart). */
  resolve(path: string): string;
  dirname(path: string): string;
  basename(path: string): string;
}

let installed: FileSystem | null = null;

/** Installs the file system file paths use (the Node entry does; tests may wrap it). Returns the previous one. */
export function setFileSystem(fs: FileSystem | null): FileSystem | null {
  const previous = installed;
  installed = fs;
  return previous;
}

/** The installed file system, or a named error saying file paths need Node. */
export function fileSystem(who: string): FileSystem {
  if (installed) return installed;
  throw new BrickError(
    `${who}: file paths need Node.js (brickml's Node entry reads and writes files); in a browser save to 'indexeddb://name', 'localstorage://name' or 'downloads://name', load from 'http(s)://…', or pass a tf.io.IOHandler`,
    who,
  );
}

/** True when an error says the file is not there. */
export const isMissing = (e: unknown) => (e as { code?: string } | null)?.code === 'ENOENT';
