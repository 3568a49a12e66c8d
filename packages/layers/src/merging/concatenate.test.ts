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
import { input } from '../symbolic.js';
import { Concatenate } from './concatenate.js';

/** [axis, input shapes, output shape]: every axis of rank-3 inputs, counted from either end, and 3 inputs. */
const CASES: [number, Shape[], Shape][] = [
  [
    -1,
    [
      [2, 3],
      [2, 4],
    ],
    [2, 7],
  ],
  [
    2,
    [
      [2, 3],
      [2, 1],
    ],
    [2, 4],
  ],
  [
    1,
    [
      [3, 2],
      [1, 2],
    ],
    [4, 2],
  ],
  [
    -2,
    [
      [3, 2],
      [2, 2],
    ],
    [5, 2],
  ],
  [-1, [[2], [3], [1]], [6]],
  [
    1,
    [
      [2, 2],
      [1, 2],
      [3, 2],
    ],
    [6, 2],
  ],
];

describe('Concatenate', () => {
  forEachBackend(() => {
    for (const [axis, shapes, out] of CASES) {
      test(`on axis ${axis} of ${shapes.length} inputs ${JSON.stringify(shapes)}: backward matches autodiff and finite differences`, async () => {
        const brick = new Concatenate({ axis });
        expect(brick.build(shapes)).toEqual(out);
        await expectBackwardMatchesAutodiff(brick, shapes);
        await expectFiniteDifferences(brick, shapes);
        brick.dispose();
      });
    }
  });

  test('joins the inputs in order', async () => {
    const a = tf.tensor([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor([5, 6], [2, 1]);
    const { y } = new Concatenate().forward([a, b], { training: false });
    expect(Array.from(await y.data())).toEqual([1, 2, 5, 3, 4, 6]);
    tf.dispose([a, b, y]);
  });

  test('applies to symbolic inputs, naming the bricks that gave shapes it cannot take', () => {
    const a = input({ shape: [3, 4], name: 'a' });
    const b = input({ shape: [5, 4], name: 'b' });
    expect(new Concatenate({ axis: 1 }).apply([a, b]).shape).toEqual([8, 4]);
    expect(() => new Concatenate({ name: 'c' }).apply([a, b])).toThrow(
      "Concatenate 'c' cannot take [null, 3, 4] from input 'a' and [null, 5, 4] from input 'b': Concatenate 'c': inputs must match on every axis but 2, received [null, 3, 4] and [null, 5, 4]",
    );
  });

  test('leaks no tensor through forward and backward', async () => {
    const brick = new Concatenate({ axis: 1 });
    const xs = [tf.ones([2, 3, 2]), tf.ones([2, 1, 2])];
    const dy = tf.ones([2, 4, 2]);
    await expectNoLeak(() => {
      tf.tidy(() => {
        brick.backward(dy, brick.forward(xs, { training: true }).cache);
      });
    });
    tf.dispose([...xs, dy]);
  });

  test('round-trips its spec', () => {
    expectSpecRoundTrip(new Concatenate({ axis: -2 }));
  });

  test('refuses the batch axis 0 with a named error', () => {
    expect(() => new Concatenate({ name: 'c', axis: 0 })).toThrow(
      "Concatenate 'c': axis must not be the batch axis 0, received 0",
    );
  });

  test('refuses an axis beyond the rank, naming the inputs', () => {
    expect(() =>
      new Concatenate({ name: 'c', axis: 3 }).build([
        [3, 4],
        [5, 4],
      ]),
    ).toThrow(
      "Concatenate 'c': axis must be between -2 and 2 (not 0) for inputs [null, 3, 4] and [null, 5, 4], received 3",
    );
    expect(() =>
      new Concatenate({ name: 'c', axis: -3 }).build([
        [3, 4],
        [5, 4],
      ]),
    ).toThrow(
      "Concatenate 'c': axis must be between -2 and 2 (not 0) for inputs [null, 3, 4] and [null, 5, 4], received -3",
    );
  });

  test('refuses inputs that differ off the axis, naming them', () => {
    expect(() =>
      new Concatenate({ name: 'c' }).build([
        [3, 4],
        [5, 4],
      ]),
    ).toThrow("Concatenate 'c': inputs must match on every axis but 2, received [null, 3, 4] and [null, 5, 4]");
    expect(() =>
      new Concatenate({ name: 'c', axis: 1 }).build([
        [3, 4],
        [5, 4],
        [2, 3],
      ]),
    ).toThrow(
      "Concatenate 'c': inputs must match on every axis but 1, received [null, 3, 4], [null, 5, 4] and [null, 2, 3]",
    );
  });

  test('refuses inputs of different ranks and the wrong number of inputs', () => {
    expect(() => new Concatenate({ name: 'c' }).build([[3], [3, 4]])).toThrow(
      "Concatenate 'c': inputs must have one rank, received [null, 3] and [null, 3, 4]",
    );
    expect(() => new Concatenate({ name: 'c' }).build([[3]])).toThrow(
      "Concatenate 'c': takes 2 or more inputs, received 1",
    );
  });
});
