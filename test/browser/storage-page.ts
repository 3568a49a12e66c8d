/**
 * The page side of the browser storage test: trains a small model, saves it to each browser store, loads
 * it back and reports what came back. Bundled by esbuild for the browser from brickml's main entry.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Dense, loadModel, type Model, Sequential, setSeed, useBackend } from 'brickml';

async function predictions(m: Model): Promise<number[]> {
  const y = m.predict([[0.5, -1, 2]]) as tf.Tensor;
  const values = Array.from(await y.data());
  y.dispose();
  return values;
}

async function run(): Promise<Record<string, unknown>> {
  await useBackend('cpu');
  setSeed(3);
  const model = new Sequential({ name: 'browser', inputShape: [3], layers: [new Dense({ units: 2 })] });
  model.compile({ optimizer: 'adam', loss: 'mse' });
  await model.fit(
    [
      [1, 2, 3],
      [0, -1, 1],
    ],
    [
      [1, 0],
      [0, 1],
    ],
    { epochs: 3, verbose: 0 },
  );
  const expected = await predictions(model);
  const report: Record<string, unknown> = { backend: tf.getBackend() };
  for (const url of ['indexeddb://brickml-storage', 'localstorage://brickml-storage']) {
    await model.save(url);
    const loaded = await loadModel(url);
    report[url] = {
      samePredictions: JSON.stringify(await predictions(loaded)) === JSON.stringify(expected),
      compiled: loaded.isCompiled,
      iterations: loaded.optimizer.iterations,
    };
    loaded.dispose();
  }
  await model.save('downloads://brickml-download');
  report.expected = expected;
  report.path = await model.save('./a-folder').then(
    () => 'saved',
    (e: Error) => e.message,
  );
  model.dispose();
  return report;
}

(globalThis as { runStorageTest?: typeof run }).runStorageTest = run;
