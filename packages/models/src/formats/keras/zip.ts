/**
 * The .keras container: a zip of metadata.json, config.json and model.weights.h5, stored uncompressed, in
 * that order, as Keras 3's saving_lib writes it (zf.open(..., 'w') gives the two JSON entries the zip
 * epoch 1980-01-01 as their date; the weights entry carries the time of saving).
 */
import { BrickError } from '@brickml/core';
import { unzipSync, zipSync } from 'fflate';

export const CONFIG_FILE = 'config.json';
export const METADATA_FILE = 'metadata.json';
export const WEIGHTS_FILE = 'model.weights.h5';

const LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06];

const startsWith = (bytes: Uint8Array, sig: number[]) => sig.every((b, i) => bytes[i] === b);

/** The names of a zip's entries, without inflating any; null when the bytes are not a zip. */
function entryNames(bytes: Uint8Array): string[] | null {
  if (!startsWith(bytes, LOCAL_HEADER) && !startsWith(bytes, EMPTY_ZIP)) return null;
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        return false;
      },
    });
  } catch {
    return null;
  }
  return names;
}

/** True when the bytes are a zip holding config.json (a .keras file). */
export function isKerasFile(bytes: Uint8Array): boolean {
  return bytes instanceof Uint8Array && (entryNames(bytes) ?? []).includes(CONFIG_FILE);
}

/** What a .keras file holds: the two JSON documents (parsed) and the weights file's bytes. */
export interface KerasArchive {
  config: unknown;
  metadata: unknown;
  weights: Uint8Array | null;
}

/** Opens a .keras file; named errors for bytes that are not a zip, a missing config.json and bad JSON. */
export function readKerasArchive(who: string, bytes: Uint8Array): KerasArchive {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  if (!(bytes instanceof Uint8Array)) fail(`the file must be a Uint8Array, received ${typeof bytes}`);
  const names = entryNames(bytes) ?? fail(`the file must be a zip archive (.keras), received ${describeStart(bytes)}`);
  if (!names.includes(CONFIG_FILE)) {
    fail(`the archive must hold ${CONFIG_FILE}, received entries ${JSON.stringify(names)}`);
  }
  const wanted = new Set([CONFIG_FILE, METADATA_FILE, WEIGHTS_FILE]);
  let files: Record<string, Uint8Array> = {};
  try {
    files = unzipSync(bytes, { filter: (f) => wanted.has(f.name) });
  } catch (e) {
    fail(`the archive cannot be read: ${(e as Error).message}`);
  }
  const json = (name: string) => {
    const raw = files[name];
    if (raw === undefined) return null;
    try {
      return JSON.parse(new TextDecoder().decode(raw)) as unknown;
    } catch (e) {
      return fail(`${name} must be JSON, received a parse error: ${(e as Error).message}`);
    }
  };
  return { config: json(CONFIG_FILE), metadata: json(METADATA_FILE), weights: files[WEIGHTS_FILE] ?? null };
}

const describeStart = (bytes: Uint8Array) =>
  bytes.length === 0
    ? 'an empty file'
    : `bytes starting ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;

/** The zip epoch, the date Python's zipfile gives entries written through ZipFile.open(name, 'w'). */
const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);

/** A .keras file from its three parts, laid out as Keras 3 writes it. */
export function writeKerasArchive(parts: { config: string; metadata: string; weights: Uint8Array }): Uint8Array {
  const text = (s: string) => new TextEncoder().encode(s);
  return zipSync({
    [METADATA_FILE]: [text(parts.metadata), { level: 0, mtime: ZIP_EPOCH }],
    [CONFIG_FILE]: [text(parts.config), { level: 0, mtime: ZIP_EPOCH }],
    [WEIGHTS_FILE]: [parts.weights, { level: 0, mtime: new Date() }],
  });
}
