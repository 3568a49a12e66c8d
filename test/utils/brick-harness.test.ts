import type { Shape } from '@brickml/core';
import { BaseMultiInputLayer, baseConfig } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { describeBrick } from './brick-harness.js';

const WeightedSumConfig = z.strictObject({ ...baseConfig });

/**
 * A brick of two inputs with a parameter, here only to exercise the harness.
 * WeightedSum: y = w₀·x₀ + w₁·x₁
 * Backward: dxᵢ = wᵢ·dy,  dwᵢ = Σ dy ⊙ xᵢ
 */
class WeightedSum extends BaseMultiInputLayer<typeof WeightedSumConfig, { w: tf.Variable }, { xs: tf.Tensor[] }> {
  readonly arity = { min: 2, max: 2 };

  constructor(config: z.input<typeof WeightedSumConfig> = {}) {
    super('WeightedSum', WeightedSumConfig, config);
  }

  protected setup(inputShapes: Shape[]): Shape {
    this.params = { w: tf.variable(tf.tensor1d([0.7, -1.3])) };
    return inputShapes[0] as Shape;
  }

  forward(xs: readonly tf.Tensor[]) {
    this.checkInputs(xs);
    const [x0, x1] = xs as [tf.Tensor, tf.Tensor];
    const y = tf.tidy(() => {
      const [w0, w1] = tf.unstack(this.params.w) as [tf.Tensor, tf.Tensor];
      return tf.add(tf.mul(w0, x0), tf.mul(w1, x1));
    });
    return { y, cache: { xs: [x0, x1] } };
  }

  backward(dy: tf.Tensor, { xs }: { xs: tf.Tensor[] }) {
    this.checkGrad(dy);
    return tf.tidy(() => ({
      dxs: tf.unstack(this.params.w).map((w) => tf.mul(w, dy)),
      grads: { w: tf.stack(xs.map((x) => tf.sum(tf.mul(dy, x)))) },
    }));
  }
}

describeBrick('the brick harness on a brick of two inputs', {
  brick: WeightedSum,
  cases: [
    { title: 'of inputs of one shape', config: {}, inputShapes: [[3], [3]], outputShape: [3] },
    {
      title: 'of images',
      config: {},
      inputShapes: [
        [2, 2, 2],
        [2, 2, 2],
      ],
      batchSize: 3,
    },
  ],
  // Not in the layer registry: it has no spec to round-trip.
  spec: [],
  errors: [
    {
      rejects: 'a third input',
      config: { name: 'w' },
      build: [[3], [3], [3]],
      message: "WeightedSum 'w': takes 2 inputs, received 3",
    },
  ],
});
