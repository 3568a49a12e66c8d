/**
 * Keras 2's and tfjs-layers' hard sigmoid, y = clip(0.2z + 0.5, 0, 1), which Keras 3 replaced by
 * relu6(z + 3)/6 (brickml's 'hardSigmoid'). Backward: dz = dy · 0.2·[-2.5 < z < 2.5].
 * Files written by Keras 2 and tfjs-layers name it 'hard_sigmoid'; brickml's name is 'hardSigmoidKeras2'.
 */
import * as tf from '@tensorflow/tfjs-core';

export const hardSigmoidKeras2 = {
  f: (z: tf.Tensor) => tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1),
  df: (dy: tf.Tensor, z: tf.Tensor) =>
    tf.mul(dy, tf.mul(tf.cast(tf.logicalAnd(tf.greater(z, -2.5), tf.less(z, 2.5)), 'float32'), 0.2)),
};
