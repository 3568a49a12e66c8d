import { expectNoLeak } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect, test } from 'vitest';
import { hardSigmoidKeras2 } from './hard-sigmoid-keras2.js';

/** Off the kinks at ±2.5, on both saturated sides. */
const z = () => tf.tensor1d([-4, -2.6, -2.4, -1, -0.3, 0, 0.6, 1.7, 2.4, 2.6, 5]);

test("equals tfjs-layers' hardSigmoid", async () => {
  const x = z();
  const layer = tfl.layers.activation({ activation: 'hardSigmoid' });
  const theirs = layer.apply(x) as tf.Tensor;
  const ours = hardSigmoidKeras2.f(x);
  expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
  tf.dispose([x, theirs, ours]);
});

test('its derivative equals autodiff', async () => {
  const x = z();
  const dy = tf.linspace(-1, 1, 11);
  const auto = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(hardSigmoidKeras2.f(t), dy)))(x);
  const ours = hardSigmoidKeras2.df(dy, x);
  // + 0 turns autodiff's -0 of a saturated side into 0.
  expect(Array.from(await ours.data(), (v) => v + 0)).toEqual(Array.from(await auto.data(), (v) => v + 0));
  tf.dispose([x, dy, auto, ours]);
});

test('leaves no tensor behind', async () => {
  await expectNoLeak(() =>
    tf.tidy(() => hardSigmoidKeras2.df(tf.ones([3]), hardSigmoidKeras2.f(tf.ones([3])))).dispose(),
  );
});
