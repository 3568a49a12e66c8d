import { setSeed } from '@brickml/core';
import {
  Activation,
  Add,
  Average,
  AveragePooling2D,
  BatchNormalization,
  Bidirectional,
  Concatenate,
  Conv1D,
  Conv2D,
  Conv2DTranspose,
  Cropping2D,
  Dense,
  DepthwiseConv2D,
  Dot,
  Dropout,
  Embedding,
  Flatten,
  GlobalAveragePooling1D,
  GlobalMaxPooling2D,
  GRU,
  input,
  LayerNormalization,
  LeakyReLU,
  LSTM,
  Maximum,
  MaxPooling1D,
  MaxPooling2D,
  Minimum,
  Multiply,
  ReLU,
  RepeatVector,
  Reshape,
  SeparableConv2D,
  SimpleRNN,
  Softmax,
  type SymbolicTensor,
  TimeDistributed,
  UpSampling2D,
  ZeroPadding2D,
} from '@brickml/layers';
import { expectNoLeak, maxDiff } from '@brickml/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Model, Sequential } from '../../index.js';
import { modelFromTfjsArtifacts, modelToTfjsArtifacts } from './index.js';

/** Every weight drawn again from U(0.5, 1.5), so that BatchNormalization's statistics are not identities. */
function scramble(model: Model) {
  const ws = model.getWeights();
  model.setWeights(ws.map((w, i) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i + 1)));
  tf.dispose(ws);
}

function imageModel(): Model {
  return new Sequential({
    name: 'image',
    inputShape: [8, 8, 3],
    layers: [
      new Conv2D({ name: 'conv', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      new BatchNormalization({ name: 'bn' }),
      new MaxPooling2D({ name: 'pool' }),
      new SeparableConv2D({ name: 'sep', filters: 3, kernelSize: 2, depthMultiplier: 2, activation: 'tanh' }),
      new DepthwiseConv2D({ name: 'dw', kernelSize: 2, padding: 'same', activation: 'sigmoid' }),
      new UpSampling2D({ name: 'up' }),
      new ZeroPadding2D({
        name: 'zpad',
        padding: [
          [1, 0],
          [0, 2],
        ],
      }),
      new Cropping2D({ name: 'crop', cropping: 1 }),
      new Conv2DTranspose({ name: 'deconv', filters: 2, kernelSize: 3, strides: 2, activation: 'elu' }),
      new AveragePooling2D({ name: 'avg', poolSize: 3 }),
      new Flatten({ name: 'flat' }),
      new Dropout({ name: 'drop', rate: 0.3 }),
      new Dense({ name: 'hidden', units: 6, activation: 'selu' }),
      new Reshape({ name: 'reshape', targetShape: [3, 2] }),
      new Flatten({ name: 'flat2' }),
      new Dense({ name: 'out', units: 4, activation: 'softmax' }),
    ],
  });
}

function sequenceModel(): Model {
  return new Sequential({
    name: 'sequence',
    inputShape: [5],
    layers: [
      new Embedding({ name: 'emb', inputDim: 10, outputDim: 4 }),
      new LSTM({ name: 'lstm', units: 3, returnSequences: true }),
      new GRU({ name: 'gru', units: 3, resetAfter: false, returnSequences: true, goBackwards: true }),
      new SimpleRNN({ name: 'rnn', units: 3, returnSequences: true, activation: 'relu' }),
      new TimeDistributed({ name: 'td', layer: new Dense({ name: 'inner', units: 4, activation: 'softplus' }) }),
      new Conv1D({ name: 'conv1d', filters: 3, kernelSize: 2, activation: 'softsign' }),
      new MaxPooling1D({ name: 'pool1d', poolSize: 2 }),
      new Bidirectional({
        name: 'bi',
        layer: new GRU({ name: 'gru2', units: 2, resetAfter: false }),
        mergeMode: 'ave',
      }),
      new RepeatVector({ name: 'rep', n: 3 }),
      new GlobalAveragePooling1D({ name: 'gap' }),
    ],
  });
}

function maskedModel(): Model {
  return new Sequential({
    name: 'masked',
    inputShape: [5],
    layers: [
      new Embedding({ name: 'memb', inputDim: 10, outputDim: 3, maskZero: true }),
      new LSTM({ name: 'mlstm', units: 3, returnSequences: true }),
      new Bidirectional({ name: 'mbi', layer: new SimpleRNN({ name: 'mrnn', units: 2 }), mergeMode: 'mul' }),
      new Dense({ name: 'mout', units: 2 }),
    ],
  });
}

function graphModel(): Model {
  const a = input({ name: 'a', shape: [6] });
  const b = input({ name: 'b', shape: [6] });
  const shared = new Dense({ name: 'shared', units: 6, activation: 'tanh' });
  const sa = shared.apply(a) as SymbolicTensor;
  const sb = shared.apply(b) as SymbolicTensor;
  const tower = new Sequential({
    name: 'tower',
    inputShape: [6],
    layers: [new Dense({ name: 'tower_dense', units: 6 }), new LeakyReLU({ name: 'leaky', negativeSlope: 0.1 })],
  });
  const t = tower.apply(sa) as SymbolicTensor;
  const merged = [
    new Add({ name: 'add' }).apply([sa, sb, t]),
    new Multiply({ name: 'mul' }).apply([sa, t]),
    new Average({ name: 'ave' }).apply([sb, t]),
    new Maximum({ name: 'max' }).apply([sa, sb]),
    new Minimum({ name: 'min' }).apply([sa, sb]),
  ] as SymbolicTensor[];
  const cat = new Concatenate({ name: 'cat' }).apply(merged) as SymbolicTensor;
  const norm = new LayerNormalization({ name: 'ln' }).apply(cat) as SymbolicTensor;
  const relu = new ReLU({ name: 'relu', maxValue: 1.2 }).apply(norm) as SymbolicTensor;
  const dot = new Dot({ name: 'dot', axes: 1, normalize: true }).apply([sa, t]) as SymbolicTensor;
  const soft = new Softmax({ name: 'soft' }).apply(relu) as SymbolicTensor;
  const act = new Activation({ name: 'act', activation: 'gelu' }).apply(dot) as SymbolicTensor;
  const gmp = new GlobalMaxPooling2D({ name: 'gmp' }).apply(
    new Reshape({ name: 'r2', targetShape: [5, 3, 2] }).apply(soft) as SymbolicTensor,
  ) as SymbolicTensor;
  return new Model({ name: 'graph', inputs: [a, b], outputs: [gmp, act] });
}
const models = new Map<string, Model>();
const cases = [
  ['a Sequential of image bricks', imageModel, () => tf.randomUniform([3, 8, 8, 3], -1, 1, 'float32', 7)],
  [
    'a Sequential of sequence bricks',
    sequenceModel,
    () =>
      tf.tensor2d([
        [1, 2, 3, 4, 5],
        [9, 0, 0, 3, 1],
        [2, 2, 2, 8, 7],
      ]),
  ],
  [
    'a sequence model whose padding steps are masked',
    maskedModel,
    () =>
      tf.tensor2d([
        [1, 2, 3, 0, 0],
        [9, 4, 0, 0, 0],
        [2, 2, 2, 8, 7],
      ]),
  ],
  [
    'a functional model with every merge, a shared brick and a nested model',
    graphModel,
    () => [tf.randomUniform([3, 6], -1, 1, 'float32', 8), tf.randomUniform([3, 6], -1, 1, 'float32', 9)],
  ],
] as const;

beforeAll(() => {
  setSeed(3);
  for (const [what, make] of cases) {
    const model = make();
    scramble(model);
    models.set(what, model);
  }
});

afterAll(() => {
  for (const m of models.values()) m.dispose();
});

describe.each(cases)('%s', (what, _, x) => {
  const modelOf = () => models.get(what) as Model;

  test('tfjs-layers loads the export and predicts the same', async () => {
    const model = modelOf();
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(await modelToTfjsArtifacts(model)));
    const xs = x();
    const ours = model.predict(xs);
    const them = theirs.predict(xs);
    expect(await maxDiff(ours, them)).toBeLessThan(1e-5);
    tf.dispose([xs, ours, them]);
    theirs.dispose();
  });

  test('the export loads back into brickml and predicts the same', async () => {
    const model = modelOf();
    const back = modelFromTfjsArtifacts('test', await modelToTfjsArtifacts(model));
    const xs = x();
    const ours = model.predict(xs);
    const again = back.predict(xs);
    expect(await maxDiff(ours, again)).toBe(0);
    expect(back.toSpec()).toEqual(model.toSpec());
    tf.dispose([xs, ours, again]);
    back.dispose();
  });

  test('a round trip leaves no tensor behind', async () => {
    await expectNoLeak(async () => modelFromTfjsArtifacts('test', await modelToTfjsArtifacts(modelOf())).dispose());
  });
});
