/**
 * The Keras layer classes brickml has, each with every config field it reads: the Keras key, brickml's key
 * and how the value translates. A field a file holds that is neither here nor in GUARDS is a named error.
 */
import type { KerasFlavor } from './errors.js';
import { camel } from './names.js';

/**
 * How a field's value translates: as is ('value'; null means unset), one number from a one-element list
 * ('single'), null read as false ('flag', tfjs-layers writes null for an unset boolean), null kept
 * ('nullable'), an axis brickml takes only as the last one ('lastAxis': Keras 2 writes BatchNormalization's
 * -1 as the positive axis it resolved at build time), a 2D size or margins written in full ('pair': [h, w];
 * 'margins': [[top, bottom], [left, right]], the forms tfjs-layers requires), or by kind.
 */
export type FieldKind =
  | 'value'
  | 'single'
  | 'flag'
  | 'nullable'
  | 'activation'
  | 'initializer'
  | 'regularizer'
  | 'brick'
  | 'lastAxis'
  | 'pair'
  | 'margins';

export interface FieldRule {
  /** brickml's config key. */
  brick: string;
  kind: FieldKind;
  /** The one flavor whose files have this key (both when absent). */
  only?: KerasFlavor;
  /** The value the other flavor implies by lacking the key (written there only at this value). */
  implied?: unknown;
  /** The value a Keras 2 file without the key means, where it differs from brickml's default. */
  absentInKeras2?: unknown;
}

export interface LayerRule {
  /** brickml's class name. */
  brick: string;
  /** Keras key → rule. */
  fields: Record<string, FieldRule>;
}

const field = (kind: FieldKind, only?: KerasFlavor, implied?: unknown) => (key: string) =>
  [key, { brick: camel(key), kind, ...(only && { only }), ...(implied !== undefined && { implied }) }] as const;
const plain = field('value');

/** Builds a field table: plain keys, or [key, kind] pairs. */
function fields(...entries: (string | readonly [string, FieldRule])[]): Record<string, FieldRule> {
  return Object.fromEntries(entries.map((e) => (typeof e === 'string' ? plain(e) : e)));
}
const act = field('activation');
const init = field('initializer');
const reg = field('regularizer');
const pair = field('pair');

const kernelFields = [
  act('activation'),
  'use_bias',
  init('kernel_initializer'),
  init('bias_initializer'),
  reg('kernel_regularizer'),
  reg('bias_regularizer'),
  reg('activity_regularizer'),
] as const;
const convFields = [
  'filters',
  pair('kernel_size'),
  pair('strides'),
  'padding',
  pair('dilation_rate'),
  ...kernelFields,
] as const;
const conv1dFields = [
  'filters',
  field('single')('kernel_size'),
  field('single')('strides'),
  'padding',
  field('single')('dilation_rate'),
  ...kernelFields,
] as const;
const depthwiseFields = [
  pair('kernel_size'),
  pair('strides'),
  'padding',
  'depth_multiplier',
  pair('dilation_rate'),
  act('activation'),
  'use_bias',
  init('depthwise_initializer'),
  init('bias_initializer'),
  reg('depthwise_regularizer'),
  reg('bias_regularizer'),
  reg('activity_regularizer'),
] as const;
const recurrentFields = [
  'units',
  act('activation'),
  'use_bias',
  init('kernel_initializer'),
  init('recurrent_initializer'),
  init('bias_initializer'),
  reg('kernel_regularizer'),
  reg('recurrent_regularizer'),
  reg('bias_regularizer'),
  'dropout',
  'recurrent_dropout',
  field('value', 'keras3')('seed'),
  'return_sequences',
  'return_state',
  'go_backwards',
  'stateful',
] as const;
const pool2d = fields(pair('pool_size'), pair('strides'), 'padding');
const globalPool = fields(field('value', 'keras3', false)('keepdims'));

export const LAYER_RULES: Record<string, LayerRule> = {
  Dense: { brick: 'Dense', fields: fields('units', ...kernelFields) },
  Activation: { brick: 'Activation', fields: fields(act('activation')) },
  ReLU: { brick: 'ReLU', fields: fields('max_value', 'negative_slope', 'threshold') },
  LeakyReLU: {
    brick: 'LeakyReLU',
    fields: fields(
      ['alpha', { brick: 'negativeSlope', kind: 'value', only: 'keras2' }],
      field('value', 'keras3')('negative_slope'),
    ),
  },
  Softmax: { brick: 'Softmax', fields: fields('axis') },
  Dropout: { brick: 'Dropout', fields: fields('rate', 'noise_shape', 'seed') },
  SpatialDropout2D: { brick: 'SpatialDropout2D', fields: fields('rate', 'seed') },
  GaussianNoise: { brick: 'GaussianNoise', fields: fields('stddev', 'seed') },
  Flatten: { brick: 'Flatten', fields: {} },
  Reshape: { brick: 'Reshape', fields: fields('target_shape') },
  RepeatVector: { brick: 'RepeatVector', fields: fields('n') },
  ZeroPadding2D: { brick: 'ZeroPadding2D', fields: fields(field('margins')('padding')) },
  Cropping2D: { brick: 'Cropping2D', fields: fields(field('margins')('cropping')) },
  UpSampling2D: { brick: 'UpSampling2D', fields: fields(pair('size'), 'interpolation') },
  Conv1D: { brick: 'Conv1D', fields: fields(...conv1dFields) },
  Conv2D: { brick: 'Conv2D', fields: fields(...convFields) },
  Conv2DTranspose: { brick: 'Conv2DTranspose', fields: fields(...convFields, pair('output_padding')) },
  DepthwiseConv2D: { brick: 'DepthwiseConv2D', fields: fields(...depthwiseFields) },
  SeparableConv2D: {
    brick: 'SeparableConv2D',
    fields: fields(...depthwiseFields, 'filters', init('pointwise_initializer'), reg('pointwise_regularizer')),
  },
  MaxPooling2D: { brick: 'MaxPooling2D', fields: pool2d },
  AveragePooling2D: { brick: 'AveragePooling2D', fields: pool2d },
  MaxPooling1D: {
    brick: 'MaxPooling1D',
    fields: fields(field('single')('pool_size'), field('single')('strides'), 'padding'),
  },
  GlobalAveragePooling1D: { brick: 'GlobalAveragePooling1D', fields: globalPool },
  GlobalAveragePooling2D: { brick: 'GlobalAveragePooling2D', fields: globalPool },
  GlobalMaxPooling2D: { brick: 'GlobalMaxPooling2D', fields: globalPool },
  BatchNormalization: {
    brick: 'BatchNormalization',
    fields: fields(
      field('lastAxis')('axis'),
      'momentum',
      'epsilon',
      'center',
      'scale',
      init('beta_initializer'),
      init('gamma_initializer'),
      init('moving_mean_initializer'),
      init('moving_variance_initializer'),
      reg('beta_regularizer'),
      reg('gamma_regularizer'),
    ),
  },
  LayerNormalization: {
    brick: 'LayerNormalization',
    fields: fields(
      'axis',
      'epsilon',
      'center',
      'scale',
      init('beta_initializer'),
      init('gamma_initializer'),
      reg('beta_regularizer'),
      reg('gamma_regularizer'),
    ),
  },
  Add: { brick: 'Add', fields: {} },
  Subtract: { brick: 'Subtract', fields: {} },
  Multiply: { brick: 'Multiply', fields: {} },
  Average: { brick: 'Average', fields: {} },
  Maximum: { brick: 'Maximum', fields: {} },
  Minimum: { brick: 'Minimum', fields: {} },
  Concatenate: { brick: 'Concatenate', fields: fields('axis') },
  Dot: { brick: 'Dot', fields: fields('axes', 'normalize') },
  Embedding: {
    brick: 'Embedding',
    fields: fields(
      'input_dim',
      'output_dim',
      init('embeddings_initializer'),
      reg('embeddings_regularizer'),
      field('flag')('mask_zero'),
    ),
  },
  Masking: { brick: 'Masking', fields: fields('mask_value') },
  SimpleRNN: { brick: 'SimpleRNN', fields: fields(...recurrentFields) },
  LSTM: {
    brick: 'LSTM',
    fields: fields(...recurrentFields, act('recurrent_activation'), field('flag')('unit_forget_bias')),
  },
  GRU: {
    brick: 'GRU',
    fields: fields(...recurrentFields, act('recurrent_activation'), [
      'reset_after',
      // tfjs-layers has only reset_after false and older files leave the key out.
      { brick: 'resetAfter', kind: 'value', absentInKeras2: false },
    ]),
  },
  TimeDistributed: { brick: 'TimeDistributed', fields: fields(field('brick')('layer')) },
  Bidirectional: { brick: 'Bidirectional', fields: fields(field('brick')('layer'), field('nullable')('merge_mode')) },
  RandomFlip: { brick: 'RandomFlip', fields: fields('mode', 'seed') },
};

/** brickml class name → the Keras class written for it (Sigmoid and Tanh are Keras Activation layers). */
export const KERAS_CLASS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(LAYER_RULES).map(([keras, r]) => [r.brick, keras])),
  Sigmoid: 'Activation',
  Tanh: 'Activation',
};
