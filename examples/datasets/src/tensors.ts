import * as tf from '@tensorflow/tfjs-core';
import { loadMnist, type MnistOptions, oneHot } from './mnist.js';

export interface MnistTensors {
  xTrain: tf.Tensor;
  yTrain: tf.Tensor2D;
  xTest: tf.Tensor;
  yTest: tf.Tensor2D;
}

/**
 * MNIST as tensors: images scaled to [0, 1] in `imageShape` per example ([784] for an MLP,
 * [28, 28, 1] for a CNN) and one-hot labels. The caller owns (and disposes) the four tensors.
 */
export function mnistTensors(imageShape: number[], options: Omit<MnistOptions, 'flatten'> = {}): MnistTensors {
  const data = loadMnist(options);
  const images = (x: Float32Array, n: number) => tf.tensor(x, [n, ...imageShape], 'float32');
  const labels = (y: Uint8Array) => tf.tensor2d(oneHot(y, 10), [y.length, 10]);
  return {
    xTrain: images(data.xTrain, data.yTrain.length),
    yTrain: labels(data.yTrain),
    xTest: images(data.xTest, data.yTest.length),
    yTest: labels(data.yTest),
  };
}
