import { LSTM } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, test } from 'vitest';
import { Sequential } from '../../index.js';
import { modelFromTfjsArtifacts, modelToTfjsArtifacts } from './index.js';

test('a stateful LSTM keeps its batch size through tfjs-layers and back, and carries its state as tfjs-layers does', async () => {
  const ours = new Sequential({
    inputShape: [3, 2],
    layers: [new LSTM({ name: 'lstm', units: 3, stateful: true, batchSize: 2 })],
  });
  const artifacts = await modelToTfjsArtifacts(ours);
  const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const back = modelFromTfjsArtifacts('test', artifacts);
  expect(back.toSpec()).toEqual(ours.toSpec());
  const x = tf.randomUniform([2, 3, 2], -1, 1, 'float32', 3);
  // Twice: the second call starts from the states the first left.
  for (let call = 0; call < 2; call++) {
    const [a, b, c] = [ours.predict(x), theirs.predict(x), back.predict(x)] as tf.Tensor[];
    const d1 = tf.max(tf.abs(tf.sub(a as tf.Tensor, b as tf.Tensor)));
    const d2 = tf.max(tf.abs(tf.sub(a as tf.Tensor, c as tf.Tensor)));
    expect((await d1.data())[0]).toBeLessThan(1e-5);
    expect((await d2.data())[0]).toBe(0);
    tf.dispose([a as tf.Tensor, b as tf.Tensor, c as tf.Tensor, d1, d2]);
  }
  x.dispose();
  ours.dispose();
  back.dispose();
  theirs.dispose();
});
