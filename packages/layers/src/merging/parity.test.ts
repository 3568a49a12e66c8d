import { type Shape, useBackend } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, test } from 'vitest';
import type { MultiInputLayer } from '../layer.js';
import { Add } from './add.js';
import { Average } from './average.js';
import { Concatenate } from './concatenate.js';
import { Dot } from './dot.js';
import { Maximum } from './maximum.js';
import { Minimum } from './minimum.js';
import { Multiply } from './multiply.js';
import { Subtract } from './subtract.js';

const TOLERANCE = 1e-5;

/** tfjs-layers' forward output for the inputs. */
type Oracle = (xs: tf.Tensor[]) => tf.Tensor;
const apply =
  (layer: tfl.layers.Layer): Oracle =>
  (xs) =>
    layer.apply(xs) as tf.Tensor;

/** [label, our brick, the oracle, input shapes (no batch axis)]. */
const CASES: [string, () => MultiInputLayer, () => Oracle, Shape[]][] = [
  [
    'Add',
    () => new Add(),
    () => apply(tfl.layers.add()),
    [
      [3, 4],
      [3, 4],
      [3, 4],
    ],
  ],
  [
    'Add with broadcasting',
    () => new Add(),
    () => apply(tfl.layers.add()),
    [
      [3, 1],
      [1, 4],
    ],
  ],
  // tfjs-layers has no Subtract: a − b is the sum of a and −b there.
  [
    'Subtract',
    () => new Subtract(),
    () => (xs) => apply(tfl.layers.add())([xs[0] as tf.Tensor, tf.neg(xs[1] as tf.Tensor)]),
    [
      [3, 4],
      [3, 4],
    ],
  ],
  [
    'Multiply',
    () => new Multiply(),
    () => apply(tfl.layers.multiply()),
    [
      [3, 4],
      [3, 4],
      [3, 4],
    ],
  ],
  [
    'Multiply with broadcasting',
    () => new Multiply(),
    () => apply(tfl.layers.multiply()),
    [
      [3, 4],
      [1, 4],
    ],
  ],
  ['Average', () => new Average(), () => apply(tfl.layers.average()), [[5], [5], [5]]],
  [
    'Maximum',
    () => new Maximum(),
    () => apply(tfl.layers.maximum()),
    [
      [3, 4],
      [3, 4],
      [3, 4],
    ],
  ],
  [
    'Minimum',
    () => new Minimum(),
    () => apply(tfl.layers.minimum()),
    [
      [3, 4],
      [3, 4],
      [3, 4],
    ],
  ],
  [
    'Concatenate',
    () => new Concatenate(),
    () => apply(tfl.layers.concatenate()),
    [
      [3, 2],
      [3, 4],
    ],
  ],
  [
    'Concatenate on axis 1',
    () => new Concatenate({ axis: 1 }),
    () => apply(tfl.layers.concatenate({ axis: 1 })),
    [
      [2, 4],
      [3, 4],
      [1, 4],
    ],
  ],
  // tfjs-layers reads every negative axis as -1; Keras' -2 is its 1 here.
  [
    'Concatenate on axis -2',
    () => new Concatenate({ axis: -2 }),
    () => apply(tfl.layers.concatenate({ axis: 1 })),
    [
      [2, 4],
      [3, 4],
    ],
  ],
];

const DOTS: [number | [number, number], Shape[]][] = [
  [1, [[5], [5]]],
  [
    -1,
    [
      [2, 5],
      [3, 5],
    ],
  ],
  [
    1,
    [
      [5, 2],
      [5, 3],
    ],
  ],
  [
    [1, 2],
    [
      [5, 2],
      [3, 5],
    ],
  ],
  [
    [2, 1],
    [
      [2, 5],
      [5, 3],
    ],
  ],
  [
    [1, 1],
    [[5], [5, 3]],
  ],
  [
    [2, 1],
    [[2, 5], [5]],
  ],
];
for (const normalize of [false, true]) {
  for (const [axes, shapes] of DOTS) {
    CASES.push([
      `Dot with axes ${JSON.stringify(axes)} on ${JSON.stringify(shapes)}${normalize ? ', normalized' : ''}`,
      () => new Dot({ axes, normalize }),
      () => apply(tfl.layers.dot({ axes, normalize })),
      shapes,
    ]);
  }
}

describe('merge bricks: parity with tfjs-layers on cpu', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  for (const [label, ours, theirs, shapes] of CASES) {
    test(`${label} gives the same output`, async () => {
      const xs = shapes.map((s, i) => tf.randomUniform([4, ...(s as number[])], -2, 2, 'float32', 30 + i));
      const { y } = ours().forward(xs, { training: false });
      const expected = tf.tidy(() => theirs()(xs));
      expect(y.shape).toEqual(expected.shape);
      const got = await y.data();
      const want = await expected.data();
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)));
      expect(worst, `${label} against tfjs-layers`).toBeLessThan(TOLERANCE);
      tf.dispose([...xs, y, expected]);
    });
  }
});
