import { setSeed, useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { LayerNormalization, type LayerNormalizationConfig } from './layer-normalization.js';

const spread = { className: 'RandomUniform', config: { minval: 0.5, maxval: 1.5 } } as const;
const offset = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

/** γ and β drawn away from 1 and 0, so that a swapped or missing one shows. */
const drawn = (config: LayerNormalizationConfig = {}): LayerNormalizationConfig => ({
  gammaInitializer: spread,
  betaInitializer: offset,
  ...config,
});

/** The per-example statistics need a small step and a looser bound in float32. */
const fd = { epsilon: 1e-3, tolerance: 3e-2 };

describeBrick('LayerNormalization', {
  brick: LayerNormalization,
  seed: 7,
  cases: [
    { title: 'over the last axis with γ and β', config: drawn(), inputShape: [3, 4], ...fd },
    {
      title: 'over the last axis without γ and β',
      config: drawn({ center: false, scale: false }),
      inputShape: [3, 4],
      ...fd,
    },
    { title: 'in training (the same math)', config: drawn(), inputShape: [5], training: true, batchSize: 3, ...fd },
    {
      title: 'over axes [1, 2] of an image (γ and β of shape [H, W])',
      config: drawn({ axis: [1, 2] }),
      inputShape: [2, 3, 2],
      ...fd,
    },
    {
      title: 'over axes [-3, -2, -1] (the whole example)',
      config: drawn({ axis: [-3, -2, -1] }),
      inputShape: [2, 2, 2],
      ...fd,
    },
  ],
  spec: [
    { axis: [1, 2], epsilon: 1e-5, center: false, gammaRegularizer: 'l2' },
    { betaInitializer: 'ones', betaRegularizer: { className: 'L1', config: { l1: 0.1 } } },
  ],
  errors: [
    {
      rejects: 'the batch axis',
      config: { name: 'ln', axis: 0 },
      build: [4],
      message:
        "LayerNormalization 'ln': axis 0 is not a feature axis for the input [null, 4]: expected 1 or -1 (0 is the batch)",
    },
    {
      rejects: 'an axis past the input’s rank',
      config: { name: 'ln', axis: [1, 3] },
      build: [3, 4],
      message:
        "LayerNormalization 'ln': axis 3 is not a feature axis for the input [null, 3, 4]: expected 1 to 2 or -2 to -1 (0 is the batch)",
    },
    {
      rejects: 'axes out of order or repeated',
      config: { name: 'ln', axis: [-1, 1] },
      build: [3, 4],
      message:
        "LayerNormalization 'ln': axis [-1, 1] must name distinct axes in increasing order for the input [null, 3, 4] (γ and β follow that order)",
    },
    {
      rejects: 'an axis that is not an integer',
      config: { name: 'ln', axis: 1.5 },
      message: "LayerNormalization 'ln': axis must be an integer or a non-empty array of integers, received 1.5",
    },
    {
      rejects: 'an empty list of axes',
      config: { name: 'ln', axis: [] },
      message: "LayerNormalization 'ln': axis must be an integer or a non-empty array of integers, received []",
    },
    {
      rejects: 'an epsilon that is not positive',
      config: { name: 'ln', epsilon: 0 },
      message: "LayerNormalization 'ln': epsilon must be a positive number, received 0",
    },
  ],
});

describe('LayerNormalization', () => {
  test('normalizes each example to zero mean and unit variance, the same in training and inference', async () => {
    const ln = new LayerNormalization({ epsilon: 1e-6 });
    const x = tf.tensor2d([
      [1, 2, 3, 6],
      [-4, 0, 4, 8],
    ]);
    for (const training of [false, true]) {
      const y = ln.forward(x, { training }).y;
      const { mean, variance } = tf.moments(y, 1);
      for (const m of await mean.data()) expect(m).toBeCloseTo(0, 5);
      for (const v of await variance.data()) expect(v).toBeCloseTo(1, 4);
      tf.dispose([y, mean, variance]);
    }
    x.dispose();
    ln.dispose();
  });

  test('γ and β span the normalized axes, in the order of the input (Keras’ shapes)', () => {
    const ln = new LayerNormalization({ axis: [1, 2] });
    ln.build([4, 5, 6]);
    expect(ln.params.gamma?.shape).toEqual([4, 5]);
    expect(ln.params.beta?.shape).toEqual([4, 5]);
    const last = new LayerNormalization();
    last.build([4, 5, 6]);
    expect(last.params.gamma?.shape).toEqual([6]);
    expect(new LayerNormalization({ center: false }).params.beta).toBeUndefined();
    ln.dispose();
    last.dispose();
  });

  test('defaults follow Keras 3: axis -1, epsilon 1e-3, center and scale', () => {
    expect(new LayerNormalization().config).toMatchObject({
      axis: -1,
      epsilon: 1e-3,
      center: true,
      scale: true,
      betaInitializer: 'zeros',
      gammaInitializer: 'ones',
    });
  });

  test('offers its γ and β regularizers to the loss', () => {
    const ln = new LayerNormalization({ gammaRegularizer: 'l2', betaRegularizer: 'l1' });
    ln.build([3]);
    expect(Object.keys(ln.regularizers()).sort()).toEqual(['beta', 'gamma']);
    ln.dispose();
  });

  test('matches tfjs-layers layerNormalization forward on cpu with copied weights', async () => {
    await useBackend('cpu');
    for (const [axis, shape] of [
      [-1, [3, 4, 5]],
      [
        [1, 2],
        [3, 4, 5],
      ],
      [
        [-3, -2, -1],
        [2, 3, 4, 5],
      ],
    ] as const) {
      setSeed(7);
      const ours = new LayerNormalization(drawn({ axis: axis as number | number[] }));
      ours.build(shape.slice(1));
      const theirs = tfl.layers.layerNormalization({ axis: axis as number | number[] });
      theirs.build([null, ...shape.slice(1)]);
      theirs.setWeights([ours.params.gamma!, ours.params.beta!]);
      const x = tf.randomUniform([...shape], -2, 2, 'float32', 8);
      const a = ours.forward(x, { training: true }).y;
      const b = theirs.apply(x) as tf.Tensor;
      const [av, bv] = [await a.data(), await b.data()];
      expect(a.shape).toEqual(b.shape);
      for (let i = 0; i < av.length; i++) expect(av[i]).toBeCloseTo(bv[i] as number, 5);
      tf.dispose([x, a, b]);
      ours.dispose();
    }
  });
});
