import { forEachBackend } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, test } from 'vitest';
import { checkFinite } from './data.js';

forEachBackend((backend) => {
  test(`checkFinite passes finite data, however large, and counts NaN and infinities by name (${backend})`, async () => {
    const huge = tf.tensor2d([3e38, 3e38, -3e38, 1, -0, 0], [3, 2]); // Σ overflows; Σ·0 does not
    const labels = tf.tensor1d([1, 2, 3], 'int32');
    await expect(checkFinite('fit', { x: huge, y: labels })).resolves.toBeUndefined();
    const nan = tf.tensor2d([1, Number.NaN, 2, Number.NaN], [2, 2]);
    await expect(checkFinite('fit', { x: huge, y: nan })).rejects.toThrow(
      'fit: y must hold no NaN, received 2 NaN values',
    );
    const inf = tf.tensor1d([Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY]);
    await expect(checkFinite('evaluate', { x: inf })).rejects.toThrow(
      'evaluate: x must hold finite numbers, received 2 infinite values',
    );
    const before = tf.memory().numTensors;
    await expect(checkFinite('fit', { x: huge, y: inf })).rejects.toThrow(/y must hold finite numbers/);
    await checkFinite('fit', { x: huge });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([huge, labels, nan, inf]);
  });
});
