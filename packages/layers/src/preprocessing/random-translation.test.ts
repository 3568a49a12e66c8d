import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { RandomTranslation } from './random-translation.js';

describe('RandomTranslation', () => {
  forEachBackend((backend) => {
    test('backward (training) matches autodiff and finite differences', async () => {
      const shift = new RandomTranslation({ heightFactor: 0.4, widthFactor: [-0.5, 0.3], fillValue: 0.5 });
      // tfjs autodiff of gather needs UnsortedSegmentSum, which wasm lacks: finite differences check it there.
      if (backend !== 'wasm') await expectBackwardMatchesAutodiff(shift, [5, 5, 2], { training: true, batchSize: 4 });
      await expectFiniteDifferences(shift, [5, 5, 2], { training: true, batchSize: 4 });
    });
  });

  test('shifts by whole pixels, fills the border, and backward shifts back', async () => {
    // u = 0.4 exactly: ty = round(0.4·5) = 2 rows down; no horizontal shift.
    const shift = new RandomTranslation({ heightFactor: [0.4, 0.4], widthFactor: 0, fillValue: -1 });
    const x = tf.tensor4d([1, 2, 3, 4, 5], [1, 5, 1, 1]);
    const { y, cache } = shift.forward(x, { training: true });
    expect(Array.from(await y.data())).toEqual([-1, -1, 1, 2, 3]);
    const dy = tf.tensor4d([10, 20, 30, 40, 50], [1, 5, 1, 1]);
    const { dx } = shift.backward(dy, cache);
    expect(Array.from(await dx.data())).toEqual([30, 40, 50, 0, 0]);
    tf.dispose([x, y, dy, dx]);
  });

  test('is the identity in inference', async () => {
    const shift = new RandomTranslation({ heightFactor: 0.5, widthFactor: 0.5 });
    const x = tf.randomUniform([2, 4, 4, 1]);
    const y = shift.forward(x, { training: false }).y;
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, y]);
  });

  test('leaks no tensor through forward and backward', async () => {
    const shift = new RandomTranslation({ heightFactor: 0.3, widthFactor: 0.3 });
    const x = tf.ones([2, 4, 4, 2]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        shift.backward(x, shift.forward(x, { training: true }).cache);
      });
    });
    x.dispose();
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new RandomTranslation({ heightFactor: [-0.2, 0.1], widthFactor: 0.1, seed: 2 }));
  });

  test('rejects a factor outside [-1, 1] and an input that is not an image', () => {
    expect(() => new RandomTranslation({ name: 't', heightFactor: 2, widthFactor: 0 })).toThrow(
      "RandomTranslation 't': heightFactor",
    );
    expect(() => new RandomTranslation({ name: 't', heightFactor: 0.1, widthFactor: 0.1 }).build([8])).toThrow(
      "RandomTranslation 't': input must have shape [null, height, width, channels], received [null, 8]",
    );
  });
});
