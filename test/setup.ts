// tfjs-core first, and its engine made, so that tensors belong to the package's main build.
import * as tf from '@tensorflow/tfjs-core';

tf.engine();
// Quiets tfjs' console advice ("install the node backend") in test output.
tf.env().set('IS_TEST', true);
// wasm on one thread unless asked otherwise: test files run in parallel processes, and each thread pool
// would start 8 workers and contend for the same cores (BRICKML_WASM_THREADS=2 runs the suite on two).
process.env.BRICKML_WASM_THREADS ??= '1';

// Autodiff is the test oracle: register every op's gradient (plain Node ESM cannot load this file,
// vitest can). The library itself never relies on them.
await import('@tensorflow/tfjs-core/dist/register_all_gradients');

const { useBackend } = await import('@brickml/core');
const { beforeAll } = await import('vitest');

beforeAll(async () => {
  await useBackend('cpu');
});
