import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectNoLeak } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { isTfjsLayersArtifacts, modelFromTfjsArtifacts, tfjsArtifactsFromModelJson } from './index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** A fixture's artifacts, as tf.io's file handlers give them. */
function artifacts(folder: string) {
  const dir = join(FIXTURES, folder);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  return tfjsArtifactsFromModelJson('test', json, (path) => readFileSync(join(dir, path)));
}

/** The largest difference between brickml's and tfjs-layers' predictions for the fixture on x. */
async function againstTfjs(folder: string, x: () => tf.Tensor): Promise<number> {
  const ours = modelFromTfjsArtifacts('test', artifacts(folder));
  const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts(folder)));
  const xs = x();
  const a = ours.predict(xs) as tf.Tensor;
  const b = theirs.predict(xs) as tf.Tensor;
  expect(a.shape).toEqual(b.shape);
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const diff = (await d.data())[0] as number;
  tf.dispose([xs, a, b, d]);
  ours.dispose();
  theirs.dispose();
  return diff;
}

describe("tfjs-examples' abalone model (tfjs-layers 1.3.2)", () => {
  test('predicts what tfjs-layers predicts', async () => {
    expect(await againstTfjs('abalone', () => tf.randomUniform([16, 8], 0, 1, 'float32', 5))).toBeLessThan(1e-5);
  });

  test('is recognized as a layers model', () => {
    expect(isTfjsLayersArtifacts(artifacts('abalone'))).toBe(true);
  });

  test('loads without leaving a tensor behind', async () => {
    await expectNoLeak(() => modelFromTfjsArtifacts('test', artifacts('abalone')).dispose());
  });
});

describe('a Sequential written as the list of its layers (tfjs-layers 1.2.7)', () => {
  test('predicts what tfjs-layers predicts', async () => {
    expect(await againstTfjs('sequential-list', () => tf.randomUniform([4, 10], -1, 1, 'float32', 6))).toBeLessThan(
      1e-5,
    );
  });
});

describe("tfjs' load_predict GRU model (hard_sigmoid of Keras 2)", () => {
  const ids = () => tf.tensor([86, 11, 62, 40, 36, 75, 82, 94, 67, 75], [1, 10]);

  test('predicts the output tfjs e2e test expects', async () => {
    const model = modelFromTfjsArtifacts('test', artifacts('load-predict-gru'));
    const x = ids();
    const y = model.predict(x) as tf.Tensor;
    // e2e/integration_tests/load_predict_test.ts in tensorflow/tfjs.
    const expected = [-0.003578941337764263, 0.0028922036290168762, -0.002957976423203945, 0.00955402385443449];
    const got = Array.from(await y.data());
    for (const [i, v] of expected.entries()) expect(got[i]).toBeCloseTo(v, 6);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('predicts what tfjs-layers predicts', async () => {
    expect(await againstTfjs('load-predict-gru', ids)).toBeLessThan(1e-5);
  });
});

describe('a graph model (TensorFlow.js converter 3.6.0)', () => {
  const json = () => JSON.parse(readFileSync(join(FIXTURES, 'graph-model', 'model.json'), 'utf8'));
  const graph = () => ({ ...json(), weightsManifest: [] });

  test('is not a layers model', () => {
    expect(isTfjsLayersArtifacts(tfjsArtifactsFromModelJson('test', graph(), () => new Uint8Array()))).toBe(false);
  });

  test('is refused by name', () => {
    const a = tfjsArtifactsFromModelJson('test', graph(), () => new Uint8Array());
    expect(() => modelFromTfjsArtifacts('load', a)).toThrow(
      `load: format must be 'layers-model', received "graph-model"`,
    );
  });
});
