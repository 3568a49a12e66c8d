/** Each malformed .keras file is refused with one named error. The files are real ones, damaged here. */
import { readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { readH5, writeH5 } from './h5.js';
import { modelFromKerasFile } from './index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}.keras`, import.meta.url)));
const XOR = 'xor-sequential-dense';

/** The xor fixture with its entries changed by `edit`. */
function edited(edit: (files: Record<string, Uint8Array>) => void): Uint8Array {
  const files = unzipSync(fixture(XOR));
  edit(files);
  return zipSync(files, { level: 0 });
}

/** The xor fixture with its weights tree changed by `edit`. */
async function editedWeights(edit: (tree: Awaited<ReturnType<typeof readH5>>) => void): Promise<Uint8Array> {
  const files = unzipSync(fixture(XOR));
  const tree = await readH5('test', files['model.weights.h5'] as Uint8Array);
  edit(tree);
  files['model.weights.h5'] = await writeH5(tree);
  return zipSync(files, { level: 0 });
}

describe('malformed .keras files', () => {
  test('bytes that are not a zip', async () => {
    const bytes = new TextEncoder().encode('not a zip');
    await expect(modelFromKerasFile('m.keras', bytes)).rejects.toThrow(
      'm.keras: the file must be a zip archive (.keras), received bytes starting 6e 6f 74 20',
    );
  });

  test('a zip without config.json', async () => {
    const bytes = edited((files) => {
      delete files['config.json'];
    });
    await expect(modelFromKerasFile('m.keras', bytes)).rejects.toThrow(
      'm.keras: the archive must hold config.json, received entries ["metadata.json","model.weights.h5"]',
    );
  });

  test('a truncated model.weights.h5', async () => {
    const bytes = edited((files) => {
      files['model.weights.h5'] = (files['model.weights.h5'] as Uint8Array).slice(0, 4000);
    });
    await expect(modelFromKerasFile('m.keras', bytes)).rejects.toThrow(
      'm.keras: model.weights.h5 cannot be opened: it is damaged or cut short',
    );
  });

  test('a weight dataset missing', async () => {
    const bytes = await editedWeights((tree) => tree.datasets.delete('layers/dense_1/vars/1'));
    await expect(modelFromKerasFile('m.keras', bytes)).rejects.toThrow(
      "m.keras: model.weights.h5 has no dataset 'layers/dense_1/vars/1' for Dense 'dense_11' weight 'bias'",
    );
  });

  test('a weight of the wrong shape', async () => {
    const bytes = await editedWeights((tree) => {
      tree.datasets.set('layers/dense/vars/0', { shape: [4, 2], dtype: '<f', values: new Float32Array(8), attrs: {} });
    });
    await expect(modelFromKerasFile('m.keras', bytes)).rejects.toThrow(
      "m.keras: Dense 'dense_10' weight 'kernel' must have shape [2, 4], model.weights.h5 'layers/dense/vars/0' has [4, 2]",
    );
  });

  test('a weight the model does not have', async () => {
    const bytes = await editedWeights((tree) => {
      tree.datasets.set('layers/dense/vars/2', { shape: [4], dtype: '<f', values: new Float32Array(4), attrs: {} });
    });
    await expect(modelFromKerasFile('m.keras', bytes)).rejects.toThrow(
      "m.keras: model.weights.h5 holds 'layers/dense/vars/2', which no weight of the model matches",
    );
  });

  test('a layer class brickml does not have', async () => {
    const bytes = edited((files) => {
      const config = JSON.parse(new TextDecoder().decode(files['config.json']));
      config.config.layers[2].class_name = 'Lambda';
      files['config.json'] = new TextEncoder().encode(JSON.stringify(config));
    });
    await expect(modelFromKerasFile('m.keras', bytes)).rejects.toThrow(
      /m\.keras: Lambda 'dense_11'.*no layer class 'Lambda'/,
    );
  });

  test("a subclassed model (keras-team/keras' own test file)", async () => {
    await expect(modelFromKerasFile('m.keras', fixture('nested-container-subclassed'))).rejects.toThrow(
      /m\.keras: the model config must be .*received class_name "NestedDenseModel"/,
    );
  });
});
