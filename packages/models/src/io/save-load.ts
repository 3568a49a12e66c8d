/**
 * Where a model goes and comes from. A target is a tf.io.IOHandler, a URL that tfjs routes
 * ('indexeddb://', 'localstorage://', 'downloads://', 'http(s)://'), or, in Node, a path: a folder for the
 * model.json formats, a file for '.keras'.
 */
import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import { isKerasFile, modelFromKerasFile, modelToKerasFile } from '../formats/keras/index.js';
import { isTfjsLayersArtifacts, modelFromTfjsArtifacts, modelToTfjsArtifacts } from '../formats/tfjs/index.js';
import type { Model } from '../model.js';
import {
  isBrickmlArtifacts,
  modelFromBrickmlArtifacts,
  modelToBrickmlArtifacts,
  type SaveOptions,
} from './artifacts.js';
import { downloadsHandler, isDownloadsUrl } from './downloads.js';
import { fileSystem } from './file-system.js';
import { cleanBeside, folderHandler, serialized, writeFileAtomic } from './folder-handler.js';

/** The formats `save` writes: brickml's own, tfjs-layers' model.json, Keras 3's .keras file. */
export const SAVE_FORMATS = ['brickml', 'tfjs', 'keras'] as const;

const isHandler = (x: unknown): x is tf.io.IOHandler =>
  typeof x === 'object' && x !== null && ('save' in x || 'load' in x) && !(x instanceof Uint8Array);

const filePath = (target: string) => (target.startsWith('file://') ? target.slice('file://'.length) : target);

/** The one tfjs handler routed for a URL, or null when no router claims it (a plain path). */
function routed(who: string, url: string, kind: 'save' | 'load'): tf.io.IOHandler | null {
  const handlers = kind === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url);
  if (handlers.length > 1) throw new BrickError(`${who}: several IO handlers claim '${url}'`, who);
  return handlers[0] ?? null;
}

/** Throws a named error unless `format` is one of SAVE_FORMATS and the options fit it. */
function checkFormat(who: string, format: string, options: SaveOptions): void {
  if (!(SAVE_FORMATS as readonly string[]).includes(format)) {
    throw new BrickError(
      `${who}: format must be one of ${SAVE_FORMATS.map((f) => `'${f}'`).join(', ')}, received '${format}'`,
      who,
    );
  }
  if (options.trainingState && format !== 'brickml') {
    throw new BrickError(
      `${who}: trainingState is kept by the 'brickml' format only; a ${format} file cannot carry it (save in the 'brickml' format to resume training from it)`,
      who,
    );
  }
}

/**
 * The model as tfjs ModelArtifacts, in brickml's format (default: weights, spec, compile configuration,
 * optimizer state, trainingState) or tfjs-layers' (`format: 'tfjs'`), for any tf.io handler.
 *
 * @example
 * const artifacts = await modelToArtifacts(model);
 * const copy = await modelFromArtifacts(artifacts);
 */
export async function modelToArtifacts(model: Model, options: SaveOptions = {}): Promise<tf.io.ModelArtifacts> {
  const who = `${model.label}.save`;
  const format = options.format ?? 'brickml';
  checkFormat(who, format, options);
  if (format === 'keras') {
    throw new BrickError(`${who}: a .keras file is not tfjs ModelArtifacts; use modelToKerasFile for its bytes`, who);
  }
  if (format === 'tfjs') return modelToTfjsArtifacts(model, { includeOptimizer: options.includeOptimizer ?? true });
  return modelToBrickmlArtifacts(model, options);
}

/**
 * Saves the model: its spec, weights, compile configuration and optimizer state (unless includeOptimizer is
 * false), and `trainingState` (brickml's format only). A path save is crash-safe: a kill at any moment leaves
 * the old model or the new one, whole. Saves to one folder from this process run one after another.
 *
 * @example
 * await saveModel(model, './mnist-model');            // Node: a folder
 * await saveModel(model, 'model.keras');              // Node: a Keras 3 file
 * await saveModel(model, 'indexeddb://mnist-model');  // a browser
 */
export async function saveModel(
  model: Model,
  target: string | tf.io.IOHandler,
  options: SaveOptions = {},
): Promise<tf.io.SaveResult> {
  const who = `${model.label}.save`;
  const format = options.format ?? (typeof target === 'string' && target.endsWith('.keras') ? 'keras' : 'brickml');
  checkFormat(who, format, options);
  if (format === 'keras') return saveKeras(who, model, target, options);
  const url = isHandler(target) ? '' : checkTarget(who, target);
  const handler = isHandler(target)
    ? target
    : (routed(who, url, 'save') ?? (isDownloadsUrl(url) ? downloadsHandler(who, url) : null));
  if (handler) {
    if (!handler.save) throw new BrickError(`${who}: the IO handler cannot save (it has no save method)`, who);
    return handler.save(await modelToArtifacts(model, { ...options, format }));
  }
  // A folder: queued from the start, so that of several saves called at once the last one called is kept.
  const fs = fileSystem(who);
  const dir = filePath(target as string);
  return serialized(fs, dir, async () => {
    const artifacts = await modelToArtifacts(model, { ...options, format });
    return (folderHandler(fs, dir, who, 'model.json', true).save as tf.io.SaveHandler)(artifacts);
  });
}

/** A .keras file: one zip, written through a flushed temporary file and a rename. */
async function saveKeras(
  who: string,
  model: Model,
  target: string | tf.io.IOHandler,
  options: SaveOptions,
): Promise<tf.io.SaveResult> {
  if (typeof target !== 'string' || routed(who, target, 'save') || isDownloadsUrl(target)) {
    throw new BrickError(
      `${who}: a .keras file is written to a file path (Node); for tfjs IO handlers use the 'brickml' or 'tfjs' format`,
      who,
    );
  }
  const fs = fileSystem(who);
  const path = filePath(target);
  await serialized(fs, path, async () => {
    const bytes = await modelToKerasFile(model, { includeOptimizer: options.includeOptimizer ?? true });
    await fs.mkdir(fs.dirname(path));
    await writeFileAtomic(fs, path, bytes);
    await cleanBeside(fs, path);
  });
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}

function checkTarget(who: string, target: unknown): string {
  if (typeof target !== 'string' || target === '') {
    throw new BrickError(
      `${who}: the target must be a path, a URL or a tf.io.IOHandler, received ${JSON.stringify(target)}`,
      who,
    );
  }
  return target;
}

/** Builds the model that artifacts hold: brickml's format, or tfjs-layers' (Keras 2 and tfjs topologies). */
export async function modelFromArtifacts(artifacts: tf.io.ModelArtifacts, who = 'modelFromArtifacts'): Promise<Model> {
  if (typeof artifacts !== 'object' || artifacts === null) {
    throw new BrickError(`${who}: artifacts must be tf.io.ModelArtifacts, received ${artifacts}`, who);
  }
  if (isBrickmlArtifacts(artifacts)) return modelFromBrickmlArtifacts(who, artifacts);
  if (isTfjsLayersArtifacts(artifacts)) return modelFromTfjsArtifacts(who, artifacts);
  throw new BrickError(
    `${who}: the artifacts' format is ${JSON.stringify(artifacts.format ?? null)}; brickml reads 'brickml' and tfjs-layers' 'layers-model'`,
    who,
  );
}

/**
 * Loads a saved model: compiled and with its optimizer state when the save held them, so training continues
 * where it stopped. In Node `source` may be the folder or its model.json.
 *
 * @example
 * const model = await loadModel('./mnist-model');
 * await model.fit(x, y, { epochs: 2 });
 */
export async function loadModel(source: string | tf.io.IOHandler | Uint8Array | ArrayBuffer): Promise<Model> {
  const who = `loadModel(${typeof source === 'string' ? `'${source}'` : source instanceof Uint8Array || source instanceof ArrayBuffer ? 'bytes' : 'handler'})`;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    if (!isKerasFile(bytes))
      throw new BrickError(`${who}: the bytes are not a .keras file (a zip holding config.json)`, who);
    return modelFromKerasFile(who, bytes);
  }
  if (typeof source === 'string' && !routed(who, source, 'load')) {
    const fs = fileSystem(who);
    const path = filePath(source);
    if ((await fs.kind(path)) === 'file' && !path.endsWith('.json')) {
      const bytes = await fs.readFile(path);
      if (isKerasFile(bytes)) return modelFromKerasFile(who, bytes);
    }
  }
  let handler: tf.io.IOHandler;
  if (isHandler(source)) handler = source;
  else {
    handler = routed(who, String(source), 'load') ?? (await pathHandler(who, source));
  }
  if (!handler.load) throw new BrickError(`${who}: the IO handler cannot load (it has no load method)`, who);
  return modelFromArtifacts(await handler.load(), who);
}

async function pathHandler(who: string, source: unknown): Promise<tf.io.IOHandler> {
  if (typeof source !== 'string' || source === '') {
    throw new BrickError(
      `${who}: the source must be a path, a URL or a tf.io.IOHandler, received ${JSON.stringify(source)}`,
      who,
    );
  }
  const fs = fileSystem(who);
  const path = filePath(source);
  const kind = await fs.kind(path);
  if (kind === null) throw new BrickError(`${who}: nothing is at ${path}`, who);
  if (kind === 'dir') return folderHandler(fs, path, who);
  if (path.endsWith('.json')) return folderHandler(fs, fs.dirname(path), who, fs.basename(path));
  throw new BrickError(`${who}: ${path} is neither a model folder, a model.json nor a .keras file`, who);
}
