import { setSeed, useBackend } from '@brickml/core';
import { describeBrick } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { BatchNormalization, type BatchNormalizationConfig } from './batch-normalization.js';

const spread = { className: 'RandomUniform', config: { minval: 0.5, maxval: 1.5 } } as const;
const offset = { className: 'RandomUniform', config: { minval: -0.5, maxval: 0.5 } } as const;

/** Parameters and statistics drawn away from 0 and 1, so that a swapped γ or σ² shows. */
const drawn = (config: BatchNormalizationConfig = {}): BatchNormalizationConfig => ({
  gammaInitializer: spread,
  betaInitializer: offset,
  movingMeanInitializer: offset,
  movingVarianceInitializer: spread,
  ...config,
});

/** The batch statistics in training need a small step and a looser bound in float32. */
const fd = { epsilon: 1e-3, tolerance: 3e-2 };

describeBrick('BatchNormalization', {
  brick: BatchNormalization,
  seed: 7,
  cases: [
    ...[true, false].flatMap((training) =>
      (
        [
          ['with γ and β', {}],
          ['without γ and β', { center: false, scale: false }],
        ] as const
      ).map(([what, config]) => ({
        title: `in ${training ? 'training' : 'inference'} ${what}`,
        config: drawn(config),
        inputShape: [3, 3, 2],
        training,
        batchSize: 3,
        ...fd,
      })),
    ),
    {
      title: 'in training on a rank-2 input (per feature)',
      config: drawn(),
      inputShape: [4],
      training: true,
      batchSize: 5,
      ...fd,
    },
  ],
  spec: [{ momentum: 0.9, epsilon: 1e-5, center: false, gammaRegularizer: 'l2' }],
  errors: [
    {
      rejects: 'an axis other than -1',
      config: { name: 'bn', axis: 1 as -1 },
      // The rest of the message is zod's wording.
      message: /^BatchNormalization 'bn': axis /,
    },
  ],
});

describe('BatchNormalization', () => {
  test('training updates the moving statistics with momentum; inference uses them', async () => {
    const bn = new BatchNormalization({ momentum: 0.5, epsilon: 1e-6 });
    const x = tf.tensor2d([[1], [3]]); // mean 2, biased variance 1
    const a = bn.forward(x, { training: true }).y;
    const [a0, a1] = await a.data();
    expect([a0, a1].map((v) => Math.round((v as number) * 1e4) / 1e4)).toEqual([-1, 1]);
    expect(Array.from(await bn.state.movingMean!.data())).toEqual([1]);
    expect(Array.from(await bn.state.movingVariance!.data())).toEqual([1]);
    const b = bn.forward(x, { training: false }).y;
    const [b0, b1] = await b.data();
    expect([b0, b1].map((v) => Math.round((v as number) * 1e4) / 1e4)).toEqual([0, 2]);
    expect(Array.from(await bn.state.movingMean!.data())).toEqual([1]);
    tf.dispose([x, a, b]);
    bn.dispose();
  });

  test('matches tfjs-layers batchNormalization forward on cpu with copied weights', async () => {
    await useBackend('cpu');
    setSeed(7);
    const ours = new BatchNormalization(drawn({ epsilon: 1e-3 }));
    ours.build([4, 4, 3]);
    const theirs = tfl.layers.batchNormalization({ epsilon: 1e-3 });
    theirs.build([null, 4, 4, 3]);
    const { gamma, beta } = ours.params;
    const { movingMean, movingVariance } = ours.state;
    theirs.setWeights([gamma!, beta!, movingMean!, movingVariance!]);
    const x = tf.randomUniform([3, 4, 4, 3], -2, 2, 'float32', 8);
    for (const training of [false, true]) {
      const a = ours.forward(x, { training }).y;
      const b = theirs.apply(x, { training }) as tf.Tensor;
      const [av, bv] = [await a.data(), await b.data()];
      for (let i = 0; i < av.length; i++) expect(av[i]).toBeCloseTo(bv[i] as number, 4);
      tf.dispose([a, b]);
    }
    x.dispose();
    ours.dispose();
  });
});
