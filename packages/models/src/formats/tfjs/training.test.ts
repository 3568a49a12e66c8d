import { Dense } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test, vi } from 'vitest';
import { Sequential } from '../../index.js';
import type { Model } from '../../model.js';
import { modelFromTfjsArtifacts, modelToTfjsArtifacts } from './index.js';

async function saved(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  return out as tf.io.ModelArtifacts;
}

const x = () =>
  tf.tensor2d([
    [0.1, -0.4, 0.9],
    [1.2, 0.3, -0.7],
    [-0.5, 0.8, 0.2],
    [0.6, -1.1, 0.4],
  ]);
const y = () =>
  tf.tensor2d([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [0, 1, 0],
  ]);

function tfjsClassifier(): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }),
      tfl.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  m.setWeights(m.weights.map((w, i) => tf.randomUniform(w.shape as number[], -1, 1, 'float32', 20 + i)));
  return m;
}

/** Weights of both models after one training step on the same batch: the largest difference. */
async function afterOneStep(ours: Model, theirs: tfl.LayersModel): Promise<number> {
  const [xs, ys] = [x(), y()];
  await ours.trainOnBatch(xs, ys);
  await theirs.trainOnBatch(xs, ys);
  const a = ours.getWeights();
  const b = theirs.getWeights(); // tfjs-layers' own variables: not disposed here.
  let max = 0;
  for (const [i, t] of a.entries()) {
    const d = tf.max(tf.abs(tf.sub(t, b[i] as tf.Tensor)));
    max = Math.max(max, (await d.data())[0] as number);
    d.dispose();
  }
  tf.dispose([xs, ys, ...a]);
  return max;
}

describe("a tfjs-layers model's training config", () => {
  // An epsilon far below every gradient: tfjs adds it to √v̂, Keras (and brickml) to √v before the bias correction.
  test('comes back compiled: one Adam step on categorical cross-entropy moves the weights as tfjs-layers does', async () => {
    const theirs = tfjsClassifier();
    theirs.compile({
      optimizer: tf.train.adam(0.05, 0.8, 0.99, 1e-10),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const ours = modelFromTfjsArtifacts('test', await saved(theirs));
    expect(ours.isCompiled).toBe(true);
    expect(ours.optimizer.toSpec()).toMatchObject({
      className: 'Adam',
      config: { learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-10 },
    });
    expect(await afterOneStep(ours, theirs)).toBeLessThan(1e-5);
    ours.dispose();
    theirs.dispose();
  });

  test("tfjs' RMSProp (decay is rho) and Momentum (SGD with momentum) map to brickml's", async () => {
    const specs = [];
    for (const optimizer of [tf.train.rmsprop(0.02, 0.8, 0.1, 1e-5, true), tf.train.momentum(0.1, 0.9, true)]) {
      const theirs = tfjsClassifier();
      theirs.compile({ optimizer, loss: 'meanSquaredError' });
      const ours = modelFromTfjsArtifacts('test', await saved(theirs));
      specs.push(ours.optimizer.toSpec());
      ours.dispose();
      theirs.dispose();
    }
    expect(specs).toMatchObject([
      { className: 'RMSprop', config: { learningRate: 0.02, rho: 0.8, momentum: 0.1, epsilon: 1e-5, centered: true } },
      { className: 'SGD', config: { learningRate: 0.1, momentum: 0.9, nesterov: true } },
    ]);
  });

  test("Keras 2's training_config in the converter's model_config wrapping compiles the model", async () => {
    const artifacts = await saved(tfjsClassifier());
    // As keras 2.2.4-tf writes it (see the TensorFlow.js converter's model.json files).
    const converted = {
      ...artifacts,
      modelTopology: {
        keras_version: '2.2.4-tf',
        backend: 'tensorflow',
        model_config: artifacts.modelTopology,
        training_config: {
          loss: 'categorical_crossentropy',
          metrics: ['accuracy'],
          weighted_metrics: null,
          sample_weight_mode: null,
          loss_weights: null,
          optimizer_config: {
            class_name: 'Adam',
            config: {
              name: 'Adam',
              learning_rate: 0.001,
              decay: 0.0,
              beta_1: 0.9,
              beta_2: 0.999,
              epsilon: 1e-7,
              amsgrad: false,
            },
          },
        },
      },
    };
    const ours = modelFromTfjsArtifacts('test', converted);
    expect(ours.optimizer.toSpec()).toMatchObject({
      className: 'Adam',
      config: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    });
    expect(ours.compiledOutputs[0]?.loss.toSpec().className).toBe('CategoricalCrossentropy');
    ours.dispose();
  });

  test('an optimizer brickml lacks leaves the model uncompiled, with a warning naming it', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const artifacts = await saved(tfjsClassifier());
    const ours = modelFromTfjsArtifacts('test', {
      ...artifacts,
      trainingConfig: {
        loss: 'mean_squared_error',
        optimizer_config: { class_name: 'Ftrl', config: { learning_rate: 0.1 } },
      },
    });
    expect(ours.isCompiled).toBe(false);
    expect(warn).toHaveBeenCalledWith("test: the model loads uncompiled: brickml has no optimizer 'Ftrl'");
    warn.mockRestore();
    ours.dispose();
  });
});

describe("a compiled brickml model's export", () => {
  test('tfjs-layers loads it compiled: one Adam step moves the weights as brickml does', async () => {
    const ours = new Sequential({
      inputShape: [3],
      layers: [new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 3, activation: 'softmax' })],
    });
    ours.compile({
      optimizer: { className: 'Adam', config: { learningRate: 0.05, epsilon: 1e-10 } },
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(await modelToTfjsArtifacts(ours)));
    expect(await afterOneStep(ours, theirs)).toBeLessThan(1e-5);
    ours.dispose();
    theirs.dispose();
  });
});
