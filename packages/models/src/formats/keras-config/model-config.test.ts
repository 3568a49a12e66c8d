import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, test } from 'vitest';
import { modelFromSpec } from '../../model-from-spec.js';
import type { ModelSpec } from '../../spec.js';
import type { KerasFlavor } from './errors.js';
import { kerasConfigFromSpec, specFromKerasConfig } from './index.js';

const seqSpec: ModelSpec = {
  format: 'brickml.model',
  version: 1,
  className: 'Sequential',
  config: {
    name: 'seq',
    inputShape: [8, 8, 3],
    layers: [
      {
        className: 'Conv2D',
        config: {
          name: 'c1',
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          kernelRegularizer: { className: 'L1L2', config: { l1: 0.001, l2: 0.01 } },
        },
      },
      { className: 'BatchNormalization', config: { name: 'bn' } },
      { className: 'MaxPooling2D', config: { name: 'mp' } },
      { className: 'Dropout', config: { name: 'do', rate: 0.25 } },
      { className: 'Flatten', config: { name: 'fl' } },
      { className: 'Dense', config: { name: 'd1', units: 5, activation: 'softmax', useBias: false } },
    ],
  },
};

const graphSpec: ModelSpec = {
  format: 'brickml.model',
  version: 1,
  className: 'Functional',
  config: {
    name: 'graph',
    inputs: [
      { name: 'ids', shape: [6], dtype: 'int32' },
      { name: 'feats', shape: [4] },
    ],
    layers: [
      {
        className: 'Embedding',
        config: { name: 'emb', inputDim: 10, outputDim: 3, maskZero: true },
        inbound: [['ids']],
      },
      {
        className: 'Bidirectional',
        config: { name: 'bi', layer: { className: 'LSTM', config: { name: 'lstm', units: 2 } } },
        inbound: [['emb']],
      },
      { className: 'Dense', config: { name: 'shared', units: 4 }, inbound: [['bi'], ['feats']] },
      { className: 'Add', config: { name: 'add' }, inbound: [['shared', ['shared', 1, 0]]] },
    ],
    outputs: ['add'],
  },
};

/** The spec with every default filled in, as a built model writes it. */
function normalized(spec: ModelSpec): ModelSpec {
  const model = modelFromSpec(spec);
  const out = model.toSpec();
  model.dispose();
  return out;
}

describe.each(['keras2', 'keras3'] as KerasFlavor[])('%s configs', (flavor) => {
  test('a Sequential spec comes back from its Keras config unchanged', () => {
    const keras = kerasConfigFromSpec(seqSpec, flavor);
    expect(normalized(specFromKerasConfig('test', keras, flavor))).toEqual(normalized(seqSpec));
  });

  test('a functional spec with a shared brick and a Bidirectional comes back unchanged', () => {
    const keras = kerasConfigFromSpec(graphSpec, flavor);
    expect(normalized(specFromKerasConfig('test', keras, flavor))).toEqual(normalized(graphSpec));
  });
});

describe('reading tfjs-layers configs', () => {
  test('a tfjs-layers functional model reads into a spec of the same layers and calls', () => {
    const a = tfl.input({ shape: [4], name: 'a' });
    const dense = tfl.layers.dense({ units: 4, name: 'shared', activation: 'tanh' });
    const x = dense.apply(a) as tfl.SymbolicTensor;
    const y = dense.apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: a, outputs: y });
    const spec = specFromKerasConfig('test', model.toJSON(null, false), 'keras2');
    expect(spec).toMatchObject({
      className: 'Functional',
      config: {
        inputs: [{ name: 'a', shape: [4], dtype: 'float32' }],
        layers: [
          {
            className: 'Dense',
            config: { name: 'shared', units: 4, activation: 'tanh' },
            inbound: [['a'], ['shared']],
          },
        ],
        outputs: [['shared', 1, 0]],
      },
    });
  });
});

const dense = (config: Record<string, unknown>) => ({
  class_name: 'Sequential',
  config: {
    name: 's',
    layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, batch_input_shape: [null, 3], ...config } }],
  },
});

describe('named errors', () => {
  test('an unknown layer class is named with the layer', () => {
    const config = {
      class_name: 'Sequential',
      config: { layers: [{ class_name: 'Lambda', config: { name: 'lam' } }] },
    };
    expect(() => specFromKerasConfig('load', config, 'keras2')).toThrow(
      /^load: Lambda 'lam': brickml has no layer class 'Lambda'/,
    );
  });

  test('a constraint is refused by field', () => {
    expect(() =>
      specFromKerasConfig('load', dense({ kernel_constraint: { class_name: 'MaxNorm', config: {} } }), 'keras2'),
    ).toThrow("load: Dense 'd': kernel_constraint must be null (brickml has no constraints), received");
  });

  test('a frozen layer is refused', () => {
    expect(() => specFromKerasConfig('load', dense({ trainable: false }), 'keras2')).toThrow(
      "load: Dense 'd': trainable must be true (brickml trains every weight), received false",
    );
  });

  test('a field brickml has no counterpart for is refused', () => {
    expect(() => specFromKerasConfig('load', dense({ kernel_quirk: 1 }), 'keras2')).toThrow(
      "load: Dense 'd': field 'kernel_quirk' has no brickml counterpart, received 1",
    );
  });

  test('an initializer brickml lacks is refused', () => {
    const init = { class_name: 'TruncatedNormal', config: { mean: 0, stddev: 1 } };
    expect(() => specFromKerasConfig('load', dense({ kernel_initializer: init }), 'keras2')).toThrow(
      `load: Dense 'd': kernel_initializer must be an initializer brickml has, received "TruncatedNormal"`,
    );
  });

  test("Keras 3's hard sigmoid has no Keras 2 name", () => {
    const spec: ModelSpec = {
      ...seqSpec,
      config: {
        inputShape: [2],
        layers: [{ className: 'Activation', config: { name: 'h', activation: 'hardSigmoid' } }],
      },
    };
    expect(() => kerasConfigFromSpec(spec, 'keras2')).toThrow(
      "kerasConfigFromSpec: Activation 'h': activation 'hardSigmoid' (Keras 3's relu6(x + 3)/6) has no Keras 2 name",
    );
  });

  test('a call of a layer the model does not have is refused', () => {
    const config = {
      class_name: 'Model',
      config: {
        layers: [
          {
            name: 'in',
            class_name: 'InputLayer',
            config: { batch_input_shape: [null, 2], name: 'in' },
            inbound_nodes: [],
          },
          { name: 'd', class_name: 'Dense', config: { name: 'd', units: 1 }, inbound_nodes: [[['nope', 0, 0, {}]]] },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['d', 0, 0]],
      },
    };
    expect(() => specFromKerasConfig('load', config, 'keras2')).toThrow(
      "load: layer 'd': inbound_nodes[0][0] refers to layer 'nope', which the model does not have",
    );
  });
});

describe("Keras 3's Bidirectional", () => {
  /** A Bidirectional as Keras 3's get_config writes it (keras/src/layers/rnn/bidirectional.py). */
  function keras3Bidirectional(backward: (forward: Record<string, unknown>) => Record<string, unknown>) {
    const lstm = (
      kerasConfigFromSpec(
        {
          format: 'brickml.model',
          version: 1,
          className: 'Sequential',
          config: {
            inputShape: [4, 3],
            layers: [{ className: 'LSTM', config: { name: 'lstm', units: 2, returnSequences: true } }],
          },
        },
        'keras3',
      ).config as { layers: { config: Record<string, unknown> }[] }
    ).layers[1] as { config: Record<string, unknown> };
    const forward = { ...lstm.config, name: 'forward_lstm', zero_output_for_mask: true };
    const layer = {
      module: 'keras.layers',
      class_name: 'Bidirectional',
      config: {
        name: 'bidirectional',
        trainable: true,
        merge_mode: 'concat',
        layer: { ...lstm, config: forward },
        backward_layer: { ...lstm, config: backward(forward) },
      },
      registered_name: null,
    };
    return {
      class_name: 'Sequential',
      config: {
        name: 's',
        layers: [
          { class_name: 'InputLayer', config: { batch_shape: [null, 4, 3], dtype: 'float32', name: 'in' } },
          layer,
        ],
      },
    };
  }

  test('with the mirrored backward layer Keras writes reads as one template LSTM', () => {
    const config = keras3Bidirectional((f) => ({ ...f, name: 'backward_lstm', go_backwards: true }));
    const spec = specFromKerasConfig('test', config, 'keras3') as {
      config: { layers: { config: { layer: unknown } }[] };
    };
    expect(spec.config.layers[0]?.config.layer).toMatchObject({
      className: 'LSTM',
      config: { name: 'lstm', units: 2, goBackwards: false },
    });
  });

  test('with a backward layer of its own is refused by name', () => {
    const config = keras3Bidirectional((f) => ({
      ...f,
      name: 'backward_lstm',
      go_backwards: true,
      activation: 'relu',
    }));
    expect(() => specFromKerasConfig('load', config, 'keras3')).toThrow(
      "load: Bidirectional 'bidirectional': backward_layer must mirror layer (brickml builds the backward copy itself)",
    );
  });
});

test('a sparse input is refused by name', () => {
  const config = {
    class_name: 'Sequential',
    config: {
      layers: [
        {
          class_name: 'InputLayer',
          config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: true, name: 'in' },
        },
        { class_name: 'Dense', config: { name: 'd', units: 1 } },
      ],
    },
  };
  expect(() => specFromKerasConfig('load', config, 'keras2')).toThrow(
    "load: InputLayer 'in': sparse must be false (brickml's inputs are dense tensors), received true",
  );
});
