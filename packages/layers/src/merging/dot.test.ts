import type { Shape } from '@brickml/core';
import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Dot, type DotConfig } from './dot.js';

/** [axes, input shapes, output shape], the output as Keras' batch_dot gives it. */
const CASES: [DotConfig['axes'], Shape[], Shape][] = [
  [1, [[4], [4]], [1]],
  [-1, [[4], [4]], [1]],
  [
    2,
    [
      [2, 4],
      [3, 4],
    ],
    [2, 3],
  ],
  [
    -1,
    [
      [2, 4],
      [3, 4],
    ],
    [2, 3],
  ],
  [
    1,
    [
      [4, 2],
      [4, 3],
    ],
    [2, 3],
  ],
  [
    [1, 2],
    [
      [4, 2],
      [3, 4],
    ],
    [2, 3],
  ],
  [
    [2, 1],
    [
      [2, 4],
      [4, 3],
    ],
    [2, 3],
  ],
  [
    [-1, -2],
    [
      [2, 4],
      [4, 3],
    ],
    [2, 3],
  ],
  [[1, 1], [[4], [4, 3]], [3]],
  [[1, 2], [[4], [3, 4]], [3]],
  [[2, 1], [[2, 4], [4]], [2]],
  [[1, 1], [[4, 2], [4]], [2]],
];

describe('Dot', () => {
  forEachBackend(() => {
    for (const normalize of [false, true]) {
      for (const [axes, shapes, out] of CASES) {
        test(`axes ${JSON.stringify(axes)} on ${JSON.stringify(shapes)}${normalize ? ', normalized' : ''}: backward matches autodiff and finite differences`, async () => {
          const brick = new Dot({ axes, normalize });
          expect(brick.build(shapes)).toEqual(out);
          await expectBackwardMatchesAutodiff(brick, shapes);
          await expectFiniteDifferences(brick, shapes);
          brick.dispose();
        });
      }
    }
  });

  test('gives the cosine similarity with normalize', async () => {
    const a = tf.tensor([3, 4, 1, 0], [2, 2]);
    const b = tf.tensor([4, 3, 0, 2], [2, 2]);
    const { y } = new Dot({ axes: 1, normalize: true }).forward([a, b], { training: false });
    expect(y.shape).toEqual([2, 1]);
    const [first, second] = Array.from(await y.data());
    expect(first).toBeCloseTo(24 / 25, 6);
    expect(second).toBeCloseTo(0, 6);
    tf.dispose([a, b, y]);
  });

  test('leaks no tensor through forward and backward', async () => {
    const brick = new Dot({ axes: [1, 2], normalize: true });
    const xs = [tf.randomNormal([2, 4, 2]), tf.randomNormal([2, 3, 4])];
    const dy = tf.ones([2, 2, 3]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        brick.backward(dy, brick.forward(xs, { training: true }).cache);
      });
    });
    tf.dispose([...xs, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new Dot({ axes: [1, 2], normalize: true }));
    expectSpecRoundTrip(new Dot({ axes: -1 }));
  });

  test('refuses examples of rank other than 1 or 2 with a named error', () => {
    expect(() => new Dot({ name: 'd', axes: -1 }).build([[2, 3, 4], [4]])).toThrow(
      "Dot 'd': inputs must have rank 2 or 3 (batch axis included), received [null, 2, 3, 4] and [null, 4]",
    );
  });

  test('refuses dot axes of different sizes, naming the inputs', () => {
    expect(() => new Dot({ name: 'd', axes: 1 }).build([[3], [4]])).toThrow(
      "Dot 'd': inputs must match on the dot axes 1 and 1, received [null, 3] and [null, 4]",
    );
  });

  test('refuses the batch axis and axes beyond the rank', () => {
    expect(() => new Dot({ name: 'd', axes: 0 })).toThrow("Dot 'd': axes must not be the batch axis 0, received 0");
    expect(() => new Dot({ name: 'd', axes: [1, 0] })).toThrow(
      "Dot 'd': axes[1] must not be the batch axis 0, received 0",
    );
    expect(() => new Dot({ name: 'd', axes: [1, 2] }).build([[4], [4]])).toThrow(
      "Dot 'd': axes [1,2] must name a non-batch axis of each input, received [null, 4] and [null, 4]",
    );
    expect(() => new Dot({ name: 'd', axes: -2 }).build([[4], [4]])).toThrow(
      "Dot 'd': axes -2 must name a non-batch axis of each input, received [null, 4] and [null, 4]",
    );
    expect(() => new Dot({ name: 'd', axes: 'last' as never })).toThrow(
      'Dot \'d\': axes must be an integer or a pair of integers, received "last"',
    );
  });

  test('takes exactly 2 inputs', () => {
    expect(() => new Dot({ name: 'd', axes: 1 }).build([[4], [4], [4]])).toThrow("Dot 'd': takes 2 inputs, received 3");
  });
});
