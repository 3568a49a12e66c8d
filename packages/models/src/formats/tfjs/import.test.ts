import { maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { modelFromTfjsArtifacts, modelToTfjsArtifacts } from './index.js';

// tfjs-layers' orthogonal initializer fails in Node: recurrent kernels start from glorotUniform.
const rec = () => tfl.initializers.glorotUniform({ seed: 1 });

/** What tfjs-layers' save writes for a model, in memory. */
async function saved(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let out: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out as tf.io.ModelArtifacts;
}

/** tfjs-layers' weights drawn again (BatchNormalization's variances positive), so that no weight is trivial. */
function scramble(model: tfl.LayersModel) {
  model.setWeights(model.weights.map((w, i) => tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', 10 + i)));
}

/** Sequences and images through recurrent, wrapped, convolutional and merge layers, as tfjs-layers builds them. */
function tfjsGraph(): tfl.LayersModel {
  const seq = tfl.input({ shape: [5, 4], name: 'seq' });
  const img = tfl.input({ shape: [6, 6, 2], name: 'img' });
  const lstm = tfl.layers
    .lstm({
      units: 3,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
      recurrentInitializer: rec(),
      unitForgetBias: true,
    })
    .apply(seq) as tfl.SymbolicTensor;
  const bi = tfl.layers
    .bidirectional({
      layer: tfl.layers.gru({ units: 2, recurrentActivation: 'sigmoid', recurrentInitializer: rec() }) as tfl.RNN,
      mergeMode: 'concat',
    })
    .apply(lstm) as tfl.SymbolicTensor;
  const td = tfl.layers
    .timeDistributed({ layer: tfl.layers.dense({ units: 2, activation: 'relu' }) })
    .apply(lstm) as tfl.SymbolicTensor;
  const rnn = tfl.layers
    .simpleRNN({ units: 2, recurrentInitializer: rec(), goBackwards: true })
    .apply(td) as tfl.SymbolicTensor;
  const conv = tfl.layers
    .conv2d({ filters: 3, kernelSize: 3, activation: 'relu', padding: 'same' })
    .apply(img) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({}).apply(conv) as tfl.SymbolicTensor;
  const pool = tfl.layers.globalAveragePooling2d({}).apply(bn) as tfl.SymbolicTensor;
  const shared = tfl.layers.dense({
    units: 3,
    activation: 'tanh',
    kernelRegularizer: tfl.regularizers.l2({ l2: 0.01 }),
  });
  const a = shared.apply(pool) as tfl.SymbolicTensor;
  const b = shared.apply(a) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({}).apply([bi, rnn, a, b]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, activation: 'softmax' }).apply(cat) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [seq, img], outputs: out });
}

const xs = () => [
  tf.randomUniform([3, 5, 4], -1, 1, 'float32', 1),
  tf.randomUniform([3, 6, 6, 2], -1, 1, 'float32', 2),
];

describe('a tfjs-layers functional model', () => {
  test('loads into brickml and predicts what tfjs-layers predicts', async () => {
    const theirs = tfjsGraph();
    scramble(theirs);
    const ours = modelFromTfjsArtifacts('test', await saved(theirs));
    const x = xs();
    const [a, b] = [ours.predict(x), theirs.predict(x)] as tf.Tensor[];
    expect(await maxDiff(a as tf.Tensor, b as tf.Tensor)).toBeLessThan(1e-5);
    tf.dispose([...x, a as tf.Tensor, b as tf.Tensor]);
    ours.dispose();
    theirs.dispose();
  });

  test("as the TensorFlow.js converter writes Keras 2 models (model_config, cell scopes, ':0') loads the same", async () => {
    const theirs = tfjsGraph();
    scramble(theirs);
    const artifacts = await saved(theirs);
    // The converter wraps the config and names weights by TensorFlow variable: lstm/lstm_cell/kernel:0.
    const converted: tf.io.ModelArtifacts = {
      ...artifacts,
      modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: artifacts.modelTopology },
      weightSpecs: artifacts.weightSpecs?.map((w) => ({
        ...w,
        name: `${w.name.replace(/^(lstm_[^/]+)\//, '$1/lstm_cell/').replace(/(forward|backward)_(gru_[^/]+)\//, '$1_$2/gru_cell_7/')}:0`,
      })),
    };
    const ours = modelFromTfjsArtifacts('test', converted);
    const x = xs();
    const [a, b] = [ours.predict(x), theirs.predict(x)] as tf.Tensor[];
    expect(await maxDiff(a as tf.Tensor, b as tf.Tensor)).toBeLessThan(1e-5);
    tf.dispose([...x, a as tf.Tensor, b as tf.Tensor]);
    ours.dispose();
    theirs.dispose();
  });

  test("a model in each library at once: brickml loads a tfjs model, tfjs-layers loads brickml's export of it", async () => {
    const theirs = tfjsGraph();
    scramble(theirs);
    const ours = modelFromTfjsArtifacts('test', await saved(theirs));
    const again = await tfl.loadLayersModel(tf.io.fromMemory(await modelToTfjsArtifacts(ours)));
    const x = xs();
    const [a, b, c] = [theirs.predict(x), ours.predict(x), again.predict(x)] as tf.Tensor[];
    expect(await maxDiff(a as tf.Tensor, b as tf.Tensor)).toBeLessThan(1e-5);
    expect(await maxDiff(a as tf.Tensor, c as tf.Tensor)).toBeLessThan(1e-5);
    tf.dispose([...x, a as tf.Tensor, b as tf.Tensor, c as tf.Tensor]);
    for (const m of [theirs, again]) m.dispose();
    ours.dispose();
  });
});

describe('a tfjs-layers model holding models', () => {
  test('a nested Sequential called twice and a nested functional model load and predict the same', async () => {
    const tower = tfl.sequential({
      name: 'tower',
      layers: [tfl.layers.dense({ units: 3, inputShape: [3], name: 'tower_d', activation: 'relu' })],
    });
    const i = tfl.input({ shape: [3], name: 'i' });
    const head = tfl.model({
      name: 'head',
      inputs: i,
      outputs: tfl.layers.dense({ units: 2, name: 'head_d' }).apply(i) as tfl.SymbolicTensor,
    });
    const a = tfl.input({ shape: [3], name: 'a' });
    const once = tower.apply(a) as tfl.SymbolicTensor;
    const twice = tower.apply(once) as tfl.SymbolicTensor;
    const theirs = tfl.model({ inputs: a, outputs: [head.apply(twice) as tfl.SymbolicTensor, once] });
    scramble(theirs);
    const ours = modelFromTfjsArtifacts('test', await saved(theirs));
    const x = tf.randomUniform([4, 3], -1, 1, 'float32', 3);
    const [ya, yb] = [ours.predict(x), theirs.predict(x)] as tf.Tensor[][];
    expect(await maxDiff(ya as tf.Tensor[], yb as tf.Tensor[])).toBeLessThan(1e-5);
    tf.dispose([x, ...(ya as tf.Tensor[]), ...(yb as tf.Tensor[])]);
    ours.dispose();
    theirs.dispose();
  });
});

describe('a tfjs-layers Sequential', () => {
  test('with Embedding, pooling, Dropout and activation layers loads and predicts the same', async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: 6 }),
        tfl.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'elu' }),
        tfl.layers.maxPooling1d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dropout({ rate: 0.4 }),
        tfl.layers.dense({ units: 6 }),
        tfl.layers.leakyReLU({ alpha: 0.2 }),
        tfl.layers.reshape({ targetShape: [3, 2] }),
        tfl.layers.softmax({ axis: -1 }),
        tfl.layers.flatten(),
        tfl.layers.activation({ activation: 'selu' }),
      ],
    });
    scramble(theirs);
    const ours = modelFromTfjsArtifacts('test', await saved(theirs));
    const x = tf.tensor2d([
      [1, 5, 0, 11, 3, 3],
      [7, 7, 2, 0, 9, 10],
    ]);
    const [a, b] = [ours.predict(x), theirs.predict(x)] as tf.Tensor[];
    expect(await maxDiff(a as tf.Tensor, b as tf.Tensor)).toBeLessThan(1e-5);
    tf.dispose([x, a as tf.Tensor, b as tf.Tensor]);
    ours.dispose();
    theirs.dispose();
  });
});
