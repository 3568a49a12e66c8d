import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Conv2D } from './convolutional/conv2d.js';
import { AveragePooling2D } from './pooling/average-pooling-2d.js';
import { MaxPooling2D } from './pooling/max-pooling-2d.js';

const image = [
  [0, 0, 1, 1, 0],
  [0, 1, 0, 1, 0],
  [0, 0, 1, 1, 0],
  [0, 1, 0, 0, 0],
  [0, 1, 1, 1, 0],
];
const verticalEdge = [
  [-1, 0, 1],
  [-1, 0, 1],
  [-1, 0, 1],
];
const featureMap = [
  [2, 4, 5, 7, 3, -2],
  [-2, 0, 0, 4, 9, 9],
  [1, 0, -1, 2, 1, 1],
  [1, 1, 6, 3, 7, 2],
  [3, 4, 0, -2, 3, 0],
  [3, 0, 5, 1, 0, 0],
];

/** A one-channel [h, w] table as a [1, h, w, 1] batch, and back. */
const asBatch = (rows: number[][]) => tf.tensor4d(rows.flat(), [1, rows.length, rows[0]?.length ?? 0, 1]);
async function asRows(t: tf.Tensor): Promise<number[][]> {
  const [, h, w] = t.shape as number[];
  const data = Array.from(await t.data());
  return Array.from({ length: h as number }, (_, i) => data.slice(i * (w as number), (i + 1) * (w as number)));
}

describe('the lecture’s convolution examples', () => {
  test('the 5x5 image convolved with the vertical-edge kernel gives the 3x3 map', async () => {
    const conv = new Conv2D({ filters: 1, kernelSize: 3, useBias: false });
    conv.build([5, 5, 1]);
    conv.params.kernel.assign(tf.tensor4d(verticalEdge.flat(), [3, 3, 1, 1]));
    const x = asBatch(image);
    const { y } = conv.forward(x, { training: false });
    expect(await asRows(y)).toEqual([
      [2, 2, -2],
      [1, 0, -1],
      [2, 0, -2],
    ]);
    tf.dispose([x, y]);
    conv.dispose();
  });

  test('strides 1, 2 and 3 on the 5x5 image give outputs of size 3, 2 and 1', () => {
    const sizes = [1, 2, 3].map((strides) => new Conv2D({ filters: 1, kernelSize: 3, strides }).build([5, 5, 1]));
    expect(sizes).toEqual([
      [3, 3, 1],
      [2, 2, 1],
      [1, 1, 1],
    ]);
  });

  test('2x2 max pooling of the 6x6 map', async () => {
    const x = asBatch(featureMap);
    const y = new MaxPooling2D({ poolSize: 2 }).forward(x, { training: false }).y;
    expect(await asRows(y)).toEqual([
      [4, 7, 9],
      [1, 6, 7],
      [4, 5, 3],
    ]);
    tf.dispose([x, y]);
  });

  test('2x2 average pooling of the 6x6 map', async () => {
    const x = asBatch(featureMap);
    const y = new AveragePooling2D({ poolSize: 2 }).forward(x, { training: false }).y;
    expect(await asRows(y)).toEqual([
      [1, 4, 4.75],
      [0.75, 2.5, 2.75],
      [2.5, 1, 0.75],
    ]);
    tf.dispose([x, y]);
  });

  test('a 3x3 convolution to 5 filters has 45 weights from 1 channel and 135 (+5 biases) from 3', () => {
    const fromGray = new Conv2D({ filters: 5, kernelSize: 3 });
    fromGray.build([28, 28, 1]);
    expect(fromGray.params.kernel.size).toBe(45);
    const fromRgb = new Conv2D({ filters: 5, kernelSize: 3 });
    fromRgb.build([32, 32, 3]);
    expect(fromRgb.params.kernel.size).toBe(135);
    expect(fromRgb.params.bias?.size).toBe(5);
    fromGray.dispose();
    fromRgb.dispose();
  });
});
