import { concreteShape, Random, type Shape, setSeed, sizeOf } from '@brickml/core';
import type { Model } from '@brickml/models';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export interface ModelGradOptions {
  batchSize?: number;
  /** Central-difference step. Default 1e-2. */
  epsilon?: number;
  /** Most entries per tensor perturbed (picked at random). Default 12. */
  maxChecks?: number;
  /** Largest accepted relative error, beyond the float32 noise of the central difference. Default 2e-2. */
  tolerance?: number;
  seed?: number;
  /** Size given to free axes (a sequence's time). Default 3. */
  freeSize?: number;
}

/**
 * A whole model's backward (its executor's tape walk, input gradients included) against central finite
 * differences of L = Σ_k Σ y_k·r_k over its outputs, for every input and every trainable variable.
 */
export async function expectModelFiniteDifferences(model: Model, options: ModelGradOptions = {}): Promise<void> {
  const { batchSize = 2, epsilon = 1e-2, maxChecks = 12, tolerance = 2e-2, seed = 7, freeSize = 3 } = options;
  const rand = new Random(seed);
  const shapes = model.inputShapes as Shape[];
  const xs = shapes.map((s) => {
    const size = batchSize * sizeOf(s, freeSize);
    const data = Float32Array.from({ length: size }, () => (rand.next() < 0.5 ? -1 : 1) * (0.1 + 0.9 * rand.next()));
    return tf.variable(tf.tensor(data, [batchSize, ...concreteShape(s, freeSize)]), false);
  });
  const rs = model.outputShapes.map((s) => {
    const size = batchSize * sizeOf(s, freeSize);
    return tf.tensor(rand.uniformArray(size, -1, 1), [batchSize, ...concreteShape(s, freeSize)]);
  });
  const lossAt = async () => {
    const l = tf.tidy(() => {
      setSeed(seed);
      const { ys } = model.executor.forward(xs, { training: false });
      return tf.addN(ys.map((y, k) => tf.sum(tf.mul(y, rs[k] as tf.Tensor))));
    });
    const v = (await l.data())[0] as number;
    l.dispose();
    return v;
  };
  // The loss is a float32 sum: each evaluation may be off by a few units in the last place of Σ|y·r|,
  // and the central difference divides that by 2ε. Small gradients are judged against that noise.
  const magnitude = tf.tidy(() => {
    setSeed(seed);
    const { ys } = model.executor.forward(xs, { training: false });
    return tf.addN(ys.map((y, k) => tf.sum(tf.abs(tf.mul(y, rs[k] as tf.Tensor)))));
  });
  const noise = (8 * 2 ** -24 * ((await magnitude.data())[0] as number)) / (2 * epsilon);
  magnitude.dispose();
  const variables = model.trainableVariables();
  const { dxs, grads } = tf.tidy(() => {
    setSeed(seed);
    const { tape } = model.executor.forward(xs, { training: false });
    const back = model.executor.backward(
      rs.map((dy) => ({ dy })),
      tape,
      { inputGrads: true },
    );
    return { dxs: back.dxs, grads: variables.map((v) => back.grads.get(v) ?? null) } as unknown as tf.TensorContainer;
  }) as unknown as { dxs: (tf.Tensor | null)[]; grads: (tf.Tensor | null)[] };
  const targets: [string, tf.Variable, tf.Tensor | null][] = [
    ...xs.map((x, i): [string, tf.Variable, tf.Tensor | null] => [`input ${i}`, x, dxs[i] ?? null]),
    ...variables.map((v, i): [string, tf.Variable, tf.Tensor | null] => [v.name, v, grads[i] ?? null]),
  ];
  for (const [name, v, g] of targets) {
    expect(g, `a gradient for ${name}`).not.toBeNull();
    const analytic = await (g as tf.Tensor).data();
    const base = Float32Array.from(await v.data());
    const picks = rand.permutation(base.length).slice(0, Math.min(maxChecks, base.length));
    for (const i of picks) {
      const probe = Float32Array.from(base);
      const at = (delta: number) => {
        probe[i] = (base[i] as number) + delta;
        const t = tf.tensor(probe, v.shape);
        v.assign(t);
        t.dispose();
        return lossAt();
      };
      const numeric = ((await at(epsilon)) - (await at(-epsilon))) / (2 * epsilon);
      const a = analytic[i] as number;
      const allowed = tolerance * Math.max(Math.abs(a), Math.abs(numeric), 1e-3) + noise;
      expect(
        Math.abs(a - numeric),
        `d/d ${name}[${i}]: backward ${a}, finite differences ${numeric} (float32 noise of the difference ${noise.toExponential(1)})`,
      ).toBeLessThan(allowed);
    }
    const t = tf.tensor(base, v.shape);
    v.assign(t);
    t.dispose();
  }
  tf.dispose([...xs, ...rs, ...[...dxs, ...grads].filter((d): d is tf.Tensor => d !== null)]);
}
