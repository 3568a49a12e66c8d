import { setSeed } from '@brickml/core';
import { Dense } from '@brickml/layers';
import { Sequential } from '@brickml/models';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';

const N = 6;
const LR = 0.5;
const L1 = 0.1;
const L2 = 0.2;

/**
 * Dense(5, tanh, activity L1) → Dense(3, out, activity L2), by hand: the loss of Keras 3, whose activity
 * penalties are reg(y) / batch, and its gradient by tfjs autodiff.
 */
function byHand(out: 'softmax' | 'linear', x: tf.Tensor, y: tf.Tensor, weights: tf.Variable[]) {
  const [w1, b1, w2, b2] = weights as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  return tf.variableGrads(() => {
    const h = tf.tanh(tf.add(tf.matMul(x, w1), b1));
    const z = tf.add(tf.matMul(h, w2), b2);
    const p = out === 'softmax' ? tf.softmax(z) : z;
    const loss =
      out === 'softmax' ? tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(p)), -1))) : tf.mean(tf.square(tf.sub(y, p)));
    const penalties = tf.add(tf.mul(L1 / N, tf.sum(tf.abs(h))), tf.mul(L2 / N, tf.sum(tf.square(p))));
    return tf.add(loss, penalties) as tf.Scalar;
  }, weights);
}

describe('activity regularizers in a model', () => {
  for (const [out, loss] of [
    ['softmax', 'categoricalCrossentropy'],
    ['linear', 'meanSquaredError'],
  ] as const) {
    test(`the loss and the update include reg(y) / batch (${out} with ${loss})`, async () => {
      setSeed(3);
      const model = new Sequential({
        inputShape: [4],
        layers: [
          new Dense({ units: 5, activation: 'tanh', activityRegularizer: { className: 'L1', config: { l1: L1 } } }),
          new Dense({ units: 3, activation: out, activityRegularizer: { className: 'L2', config: { l2: L2 } } }),
        ],
      });
      model.compile({ optimizer: { className: 'SGD', config: { learningRate: LR } }, loss });
      // softmax + cross-entropy stays fused: the brick adds its penalty's gradient through softmax itself.
      expect(model.executor.fusableActivation(0)).toBe(out === 'softmax' ? 'softmax' : 'linear');
      const x = tf.randomUniform([N, 4], -1, 1, 'float32', 4);
      const y = tf.oneHot(tf.tensor1d([0, 2, 1, 1, 0, 2], 'int32'), 3);
      const yf = tf.cast(y, 'float32');
      const before = model.getWeights().map((w) => tf.variable(w));
      const hand = byHand(out, x, yf, before);
      const want = (await hand.value.data())[0] as number;

      const evaluated = await model.evaluate(x, yf, { verbose: 0 });
      expect(evaluated.loss as number).toBeCloseTo(want, 5);
      const trained = await model.trainOnBatch(x, yf);
      expect(trained.loss as number).toBeCloseTo(want, 5);

      const after = model.getWeights();
      for (const [i, w] of before.entries()) {
        const g = hand.grads[w.name] as tf.Tensor;
        const expected = await tf.sub(w, tf.mul(LR, g)).data();
        const got = await (after[i] as tf.Tensor).data();
        got.forEach((v, k) => {
          expect(Math.abs(v - (expected[k] as number)), `weight ${i}[${k}]`).toBeLessThan(1e-5);
        });
      }
      tf.dispose([x, y, yf, ...before, ...after, hand.value, ...Object.values(hand.grads)]);
      model.dispose();
    });
  }
});
