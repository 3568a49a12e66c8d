import { Random, type Shape, setSeed, sizeOf } from '@brickml/core';
import {
  expectBackwardMatchesAutodiff,
  expectFiniteDifferences,
  expectNoLeak,
  expectSpecRoundTrip,
  forEachBackend,
} from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { Add } from './add.js';
import { Average } from './average.js';
import { Maximum } from './maximum.js';
import type { Merge } from './merge.js';
import { Minimum } from './minimum.js';
import { Multiply } from './multiply.js';
import { Subtract } from './subtract.js';

type AnyMerge = Merge<never, unknown> & {
  forward: Add['forward'];
  backward: (dy: tf.Tensor, c: never) => { dxs: tf.Tensor[] };
};

/** [className, factory, takes more than 2 inputs]. */
const MERGES: [string, (config?: { name?: string }) => AnyMerge, boolean][] = [
  ['Add', (c) => new Add(c) as unknown as AnyMerge, true],
  ['Subtract', (c) => new Subtract(c) as unknown as AnyMerge, false],
  ['Multiply', (c) => new Multiply(c) as unknown as AnyMerge, true],
  ['Average', (c) => new Average(c) as unknown as AnyMerge, true],
  ['Maximum', (c) => new Maximum(c) as unknown as AnyMerge, true],
  ['Minimum', (c) => new Minimum(c) as unknown as AnyMerge, true],
];

/**
 * Inputs of a batch of 2 whose entries are all distinct and at least 0.06 apart, shuffled: no two inputs
 * come within a finite-difference step of each other, where Maximum and Minimum have a kink.
 */
export function distinctInputs(shapes: readonly Shape[], seed = 5): tf.Tensor[] {
  const sizes = shapes.map((s) => 2 * sizeOf(s));
  const total = sizes.reduce((n, s) => n + s, 0);
  const order = new Random(seed).permutation(total);
  const values = Array.from(order, (k) => (k - total / 2 + 0.5) * 0.06);
  let offset = 0;
  return shapes.map((s, i) => {
    const size = sizes[i] as number;
    const t = tf.tensor(values.slice(offset, offset + size), [2, ...(s as number[])], 'float32');
    offset += size;
    return t;
  });
}

async function expectGradients(brick: AnyMerge, shapes: Shape[], { autodiff = true } = {}): Promise<void> {
  const input = distinctInputs(shapes);
  if (autodiff) await expectBackwardMatchesAutodiff(brick, shapes, { input });
  await expectFiniteDifferences(brick, shapes, { input });
  tf.dispose(input);
  brick.dispose();
}

for (const [className, make, many] of MERGES) {
  describe(className, () => {
    forEachBackend(() => {
      test('backward matches autodiff and finite differences for 2 inputs', async () => {
        await expectGradients(make(), [
          [3, 4],
          [3, 4],
        ]);
      });
      if (many) {
        test('backward matches autodiff and finite differences for 3 inputs', async () => {
          await expectGradients(make(), [[5], [5], [5]]);
        });
      }
      test('broadcasts axes of size 1 and sums their gradients back', async () => {
        const shapes: Shape[] = many
          ? [
              [3, 1],
              [1, 4],
              [3, 4],
            ]
          : [
              [3, 1],
              [1, 4],
            ];
        const brick = make();
        expect(brick.build(shapes)).toEqual([3, 4]);
        // tfjs 4.22's Maximum and Minimum gradients do not sum broadcast axes back: no autodiff oracle there.
        await expectGradients(brick, shapes, { autodiff: className !== 'Maximum' && className !== 'Minimum' });
      });
    });

    test('leaks no tensor through forward and backward', async () => {
      setSeed(4);
      const brick = make();
      const xs = [tf.randomNormal([2, 3, 1]), tf.randomNormal([2, 3, 4])];
      const dy = tf.randomNormal([2, 3, 4]);
      await expectNoLeak(() => {
        tf.tidy(() => {
          brick.backward(dy, brick.forward(xs, { training: true }).cache as never);
        });
      });
      tf.dispose([...xs, dy]);
    });

    test('round-trips its spec', () => {
      expectSpecRoundTrip(make({ name: 'merged' }));
    });

    test('refuses the wrong number of inputs', () => {
      expect(() => make({ name: 'm' }).build([[3]])).toThrow(
        `${className} 'm': takes ${many ? '2 or more' : '2'} inputs, received 1`,
      );
      if (!many)
        expect(() => make({ name: 'm' }).build([[3], [3], [3]])).toThrow(
          `${className} 'm': takes 2 inputs, received 3`,
        );
    });

    test('refuses shapes that do not broadcast, naming them', () => {
      expect(() =>
        make({ name: 'm' }).build([
          [3, 4],
          [5, 4],
        ]),
      ).toThrow(
        `${className} 'm': inputs must have one rank and, on each axis, one size or 1, received [null, 3, 4] and [null, 5, 4]`,
      );
      expect(() => make({ name: 'm' }).build([[4], [3, 4]])).toThrow(
        `${className} 'm': inputs must have one rank and, on each axis, one size or 1, received [null, 4] and [null, 3, 4]`,
      );
    });
  });
}

describe.each([
  ['Maximum', () => new Maximum()],
  ['Minimum', () => new Minimum()],
])('%s on ties', (_, make) => {
  test('sends the gradient to the first input holding the extreme, as tfjs autodiff does', async () => {
    const a = tf.tensor([0.5, -0.2, 0.7, 0.1], [2, 2]);
    const c = tf.tensor([0.5, 0.3, -0.9, 0.1], [2, 2]);
    const brick = make();
    await expectBackwardMatchesAutodiff(brick, [[2], [2], [2]], { input: [a, a, c] });
    const dy = tf.ones([2, 2]);
    const { dxs } = tf.tidy(() => brick.backward(dy, brick.forward([a, a, c], { training: false }).cache));
    expect(Array.from(await (dxs[1] as tf.Tensor).data())).toEqual([0, 0, 0, 0]);
    tf.dispose([a, c, dy, ...dxs]);
  });
});
