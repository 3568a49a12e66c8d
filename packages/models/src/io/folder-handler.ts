/**
 * A model saved as a folder: `model.json` (tfjs' layout: topology, weights manifest, metadata) beside one
 * weights file named by the SHA-256 of its bytes, `weights.<16 hex>.bin`. Crash safety follows from the order:
 * 1. the weights go to a temporary file, flushed, then renamed to their content name (a new name unless the
 *    bytes are the same, in which case the rename replaces the file with identical bytes);
 * 2. model.json goes to a temporary file, flushed, then renamed over the old one in one atomic step;
 * 3. only then are the temporary files and the weight files that model.json no longer names removed.
 * Killed before step 2 ends, the folder still holds the old model.json and the weights it names; after, the
 * new pair. Leftovers of a killed save are removed by the next save. Loading checks each file's length
 * against the manifest and its bytes against the checksum in its name.
 */
import { BrickError, sizeOf } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { joinWeightData, sha256 } from './checksum.js';
import { type FileSystem, isMissing } from './file-system.js';

const WEIGHTS = /^weights\.([0-9a-f]{16})\.bin$/;
const TEMPORARY = /^\..+\.[0-9a-f]{12}\.tmp$/;

const tag = () =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');

/** Writes bytes to `path` through a flushed temporary file and a rename: the path holds the old file or the new one. */
export async function writeFileAtomic(fs: FileSystem, path: string, bytes: Uint8Array): Promise<void> {
  const temp = fs.join(fs.dirname(path), `.${fs.basename(path)}.${tag()}.tmp`);
  try {
    await fs.writeFile(temp, bytes);
    await fs.rename(temp, path);
  } catch (e) {
    await fs.remove(temp).catch(() => undefined);
    throw e;
  }
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `write` after every earlier write to the same place from this process has ended: two saves into one
 * folder at once would otherwise each remove the other's new weights as leftovers. Writers in other processes
 * are not seen: one folder, one writing process.
 */
export async function serialized<T>(fs: FileSystem, place: string, write: () => Promise<T>): Promise<T> {
  const key = fs.resolve(place);
  const mine = (queues.get(key) ?? Promise.resolve()).then(write, write);
  const tail = mine.catch(() => undefined);
  queues.set(key, tail);
  try {
    return await mine;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/** Removes the temporary files of killed writes beside `path` and, for a folder save, weight files not in `keep`. */
async function clean(fs: FileSystem, dir: string, keep: ReadonlySet<string> | null): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (TEMPORARY.test(name) || (keep && WEIGHTS.test(name) && !keep.has(name))) await fs.remove(fs.join(dir, name));
  }
}

const BYTES_PER: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/**
 * The handler of a model folder (`dir/model.json` + weights); `jsonName` may name another JSON file there.
 * Its saves queue behind earlier writes to the folder unless the caller already holds the queue (`queued`).
 */
export function folderHandler(
  fs: FileSystem,
  dir: string,
  who: string,
  jsonName = 'model.json',
  queued = false,
): tf.io.IOHandler {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  return {
    save: (artifacts: tf.io.ModelArtifacts) => (queued ? save(artifacts) : serialized(fs, dir, () => save(artifacts))),
    load,
  };

  async function save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    await fs.mkdir(dir);
    const bytes = new Uint8Array(joinWeightData(artifacts.weightData));
    const weightsName = `weights.${(await sha256(bytes)).slice(0, 16)}.bin`;
    await writeFileAtomic(fs, fs.join(dir, weightsName), bytes);
    const { modelTopology, format, generatedBy, convertedBy, trainingConfig, userDefinedMetadata } = artifacts;
    const modelJson = {
      format,
      generatedBy,
      convertedBy,
      modelTopology,
      ...(trainingConfig && { trainingConfig }),
      weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs ?? [] }],
      ...(userDefinedMetadata && { userDefinedMetadata }),
    };
    const text = new TextEncoder().encode(`${JSON.stringify(modelJson, null, 2)}\n`);
    await writeFileAtomic(fs, fs.join(dir, jsonName), text);
    await clean(fs, dir, new Set([weightsName]));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  async function load(): Promise<tf.io.ModelArtifacts> {
    const read = async (name: string) => {
      try {
        return await fs.readFile(fs.join(dir, name));
      } catch (e) {
        return fail(isMissing(e) ? `${name} is missing from ${dir}` : `cannot read ${name}: ${(e as Error).message}`);
      }
    };
    let json: tf.io.ModelJSON;
    try {
      json = JSON.parse(new TextDecoder().decode(await read(jsonName)));
    } catch (e) {
      if (e instanceof BrickError) throw e;
      return fail(`${jsonName} is not valid JSON: ${(e as Error).message}`);
    }
    if (
      typeof json !== 'object' ||
      json === null ||
      !('modelTopology' in json) ||
      !Array.isArray(json.weightsManifest)
    ) {
      fail(
        `${jsonName} is not a saved model: it needs 'modelTopology' and 'weightsManifest' (a model spec alone is read by modelFromSpec)`,
      );
    }
    return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
      const buffers: Uint8Array[] = [];
      for (const group of manifest) {
        const files: Uint8Array[] = [];
        for (const listed of group.paths) {
          // tfjs' downloads and converter write './name'; anything else with a folder in it leaves this one.
          const path = listed.startsWith('./') ? listed.slice(2) : listed;
          if (!/^(?!\.\.?$)[^/\\]+$/.test(path))
            fail(`${jsonName} names weight file '${listed}', which is not a file name inside ${dir}`);
          const file = await read(path);
          const expected = WEIGHTS.exec(path)?.[1];
          if (expected && (await sha256(file)).slice(0, 16) !== expected) {
            fail(
              `${path} does not match its checksum (its SHA-256 does not start with ${expected}): the file is corrupted`,
            );
          }
          files.push(file);
        }
        const have = files.reduce((n, f) => n + f.byteLength, 0);
        if (group.weights.every((w) => !w.quantization && w.dtype && w.dtype in BYTES_PER)) {
          const need = group.weights.reduce((n, w) => n + sizeOf(w.shape) * (BYTES_PER[w.dtype] as number), 0);
          if (have !== need) {
            fail(
              `${group.paths.join(', ')} hold${group.paths.length === 1 ? 's' : ''} ${have} bytes, the manifest in ${jsonName} needs ${need}${have < need ? ' (a truncated file?)' : ''}`,
            );
          }
        }
        buffers.push(...files);
      }
      const all = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
      let at = 0;
      for (const b of buffers) {
        all.set(b, at);
        at += b.byteLength;
      }
      return [manifest.flatMap((g) => g.weights), all.buffer];
    });
  }
}

/** Removes leftovers of killed single-file writes in the folder of `path`. */
export async function cleanBeside(fs: FileSystem, path: string): Promise<void> {
  await clean(fs, fs.dirname(path), null).catch((e) => {
    if (!isMissing(e)) throw e;
  });
}
