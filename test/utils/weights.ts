import * as tf from '@tensorflow/tfjs-core';

/** Anything with Keras' getWeights: a model or a brick's host. */
interface HasWeights {
  getWeights(): tf.Tensor[];
}

/** Every weight's values, in getWeights' order, as plain arrays to compare with toEqual (bit for bit). */
export async function weightValues(model: HasWeights): Promise<number[][]> {
  const ws = model.getWeights();
  const values = await Promise.all(ws.map(async (w) => Array.from(await w.data())));
  tf.dispose(ws);
  return values;
}
