/**
 * 'downloads://name' without tfjs' router. tfjs-core registers its downloads handler in a module
 * (io/browser_files) that its package's `sideEffects` list leaves out, so a bundler that honours the list
 * (vite 8) drops the module, router and all, when nothing imports it by name. brickml then saves the same
 * two files tfjs' BrowserDownloads writes: `name.json` (the model JSON, its weights at
 * `./name.weights.bin`) and `name.weights.bin`.
 */
import { BrickError } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';

const SCHEME = 'downloads://';

/** The few DOM calls made here (the packages compile without the DOM's types). */
interface Page {
  document?: { createElement(tag: 'a'): { download: string; href: string; dispatchEvent(e: unknown): boolean } };
  MouseEvent: new (type: string) => unknown;
}
const page = globalThis as unknown as Page;

export const isDownloadsUrl = (url: string) => url.startsWith(SCHEME);

/** Starts the download of `data` as `fileName` from a detached link, as tfjs does. */
async function download(data: string | Blob, type: string, fileName: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = Object.assign(page.document!.createElement('a'), { download: fileName, href: url });
  // One download per task: browsers keep only the last of several started synchronously.
  await new Promise((resolve) => setTimeout(resolve));
  link.dispatchEvent(new page.MouseEvent('click'));
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A save handler for 'downloads://name' (name defaults to 'model', as in tfjs). */
export function downloadsHandler(who: string, url: string): tf.io.IOHandler {
  const prefix = url.slice(SCHEME.length) || 'model';
  return {
    async save(artifacts) {
      if (!page.document) {
        throw new BrickError(`${who}: '${url}' needs a browser page (there is no document here)`, who);
      }
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new BrickError(`${who}: '${url}' saves a JSON topology, not a binary one`, who);
      }
      const weightsFile = `${prefix}.weights.bin`;
      const { weightData, weightSpecs, ...rest } = artifacts;
      const modelJson: tf.io.ModelJSON = {
        ...rest,
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: [`./${weightsFile}`], weights: weightSpecs ?? [] }],
      };
      await download(JSON.stringify(modelJson), 'application/json', `${prefix}.json`);
      if (weightData) {
        const parts = Array.isArray(weightData) ? weightData : [weightData];
        await download(new Blob(parts), 'application/octet-stream', weightsFile);
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}
