/**
 * The one list of bricks: the table below. From it come LayerSpec (the zod union of every brick's
 * `{ className, config }`), layerFromSpec and the class names. Adding a brick adds its file and one
 * table line.
 */
import { entry, registry } from '@brickml/core';
import type { z } from 'zod';
import { Activation, ActivationConfig } from './activations/activation.js';
import { LeakyReLU, LeakyReLUConfig } from './activations/leaky-relu.js';
import { ReLU, ReLUConfig } from './activations/relu.js';
import { Sigmoid, SigmoidConfig } from './activations/sigmoid.js';
import { Softmax, SoftmaxConfig } from './activations/softmax.js';
import { Tanh, TanhConfig } from './activations/tanh.js';
import { Conv1D, Conv1DConfig } from './convolutional/conv1d.js';
import { Conv2D, Conv2DConfig } from './convolutional/conv2d.js';
import { Conv2DTranspose, Conv2DTransposeConfig } from './convolutional/conv2d-transpose.js';
import { DepthwiseConv2D, DepthwiseConv2DConfig } from './convolutional/depthwise-conv2d.js';
import { SeparableConv2D, SeparableConv2DConfig } from './convolutional/separable-conv2d.js';
import { Dense, DenseConfig } from './core/dense.js';
import { Embedding, EmbeddingConfig } from './core/embedding.js';
import { Masking, MaskingConfig } from './core/masking.js';
import type { Brick } from './layer.js';
import { Add, AddConfig } from './merging/add.js';
import { Average, AverageConfig } from './merging/average.js';
import { Concatenate, ConcatenateConfig } from './merging/concatenate.js';
import { Dot, DotConfig } from './merging/dot.js';
import { Maximum, MaximumConfig } from './merging/maximum.js';
import { Minimum, MinimumConfig } from './merging/minimum.js';
import { Multiply, MultiplyConfig } from './merging/multiply.js';
import { Subtract, SubtractConfig } from './merging/subtract.js';
import { BatchNormalization, BatchNormalizationConfig } from './normalization/batch-normalization.js';
import { LayerNormalization, LayerNormalizationConfig } from './normalization/layer-normalization.js';
import { AveragePooling2D, AveragePooling2DConfig } from './pooling/average-pooling-2d.js';
import { GlobalAveragePooling1D, GlobalAveragePooling1DConfig } from './pooling/global-average-pooling-1d.js';
import { GlobalAveragePooling2D, GlobalAveragePooling2DConfig } from './pooling/global-average-pooling-2d.js';
import { GlobalMaxPooling2D, GlobalMaxPooling2DConfig } from './pooling/global-max-pooling-2d.js';
import { MaxPooling1D, MaxPooling1DConfig } from './pooling/max-pooling-1d.js';
import { MaxPooling2D, MaxPooling2DConfig } from './pooling/max-pooling-2d.js';
import { RandomFlip, RandomFlipConfig } from './preprocessing/random-flip.js';
import { RandomTranslation, RandomTranslationConfig } from './preprocessing/random-translation.js';
import { GRU, GRUConfig } from './recurrent/gru.js';
import { LSTM, LSTMConfig } from './recurrent/lstm.js';
import { SimpleRNN, SimpleRNNConfig } from './recurrent/simple-rnn.js';
import { Dropout, DropoutConfig } from './regularization/dropout.js';
import { GaussianNoise, GaussianNoiseConfig } from './regularization/gaussian-noise.js';
import { SpatialDropout2D, SpatialDropout2DConfig } from './regularization/spatial-dropout-2d.js';
import { Cropping2D, Cropping2DConfig } from './reshaping/cropping-2d.js';
import { Flatten, FlattenConfig } from './reshaping/flatten.js';
import { RepeatVector, RepeatVectorConfig } from './reshaping/repeat-vector.js';
import { Reshape, ReshapeConfig } from './reshaping/reshape.js';
import { UpSampling2D, UpSampling2DConfig } from './reshaping/up-sampling-2d.js';
import { ZeroPadding2D, ZeroPadding2DConfig } from './reshaping/zero-padding-2d.js';
import { Bidirectional, BidirectionalConfig } from './wrappers/bidirectional.js';
import { provideBrickFactory } from './wrappers/inner-brick.js';
import { TimeDistributed, TimeDistributedConfig } from './wrappers/time-distributed.js';

const LAYERS = registry('layerFromSpec', {
  Dense: entry(DenseConfig, (c) => new Dense(c)),
  ReLU: entry(ReLUConfig, (c) => new ReLU(c)),
  LeakyReLU: entry(LeakyReLUConfig, (c) => new LeakyReLU(c)),
  Sigmoid: entry(SigmoidConfig, (c) => new Sigmoid(c)),
  Tanh: entry(TanhConfig, (c) => new Tanh(c)),
  Softmax: entry(SoftmaxConfig, (c) => new Softmax(c)),
  Activation: entry(ActivationConfig, (c) => new Activation(c)),
  Dropout: entry(DropoutConfig, (c) => new Dropout(c)),
  SpatialDropout2D: entry(SpatialDropout2DConfig, (c) => new SpatialDropout2D(c)),
  GaussianNoise: entry(GaussianNoiseConfig, (c) => new GaussianNoise(c)),
  Flatten: entry(FlattenConfig, (c) => new Flatten(c)),
  Reshape: entry(ReshapeConfig, (c) => new Reshape(c)),
  RepeatVector: entry(RepeatVectorConfig, (c) => new RepeatVector(c)),
  ZeroPadding2D: entry(ZeroPadding2DConfig, (c) => new ZeroPadding2D(c)),
  Cropping2D: entry(Cropping2DConfig, (c) => new Cropping2D(c)),
  UpSampling2D: entry(UpSampling2DConfig, (c) => new UpSampling2D(c)),
  Conv2D: entry(Conv2DConfig, (c) => new Conv2D(c)),
  Conv1D: entry(Conv1DConfig, (c) => new Conv1D(c)),
  DepthwiseConv2D: entry(DepthwiseConv2DConfig, (c) => new DepthwiseConv2D(c)),
  SeparableConv2D: entry(SeparableConv2DConfig, (c) => new SeparableConv2D(c)),
  Conv2DTranspose: entry(Conv2DTransposeConfig, (c) => new Conv2DTranspose(c)),
  MaxPooling2D: entry(MaxPooling2DConfig, (c) => new MaxPooling2D(c)),
  AveragePooling2D: entry(AveragePooling2DConfig, (c) => new AveragePooling2D(c)),
  GlobalAveragePooling2D: entry(GlobalAveragePooling2DConfig, (c) => new GlobalAveragePooling2D(c)),
  GlobalMaxPooling2D: entry(GlobalMaxPooling2DConfig, (c) => new GlobalMaxPooling2D(c)),
  MaxPooling1D: entry(MaxPooling1DConfig, (c) => new MaxPooling1D(c)),
  GlobalAveragePooling1D: entry(GlobalAveragePooling1DConfig, (c) => new GlobalAveragePooling1D(c)),
  BatchNormalization: entry(BatchNormalizationConfig, (c) => new BatchNormalization(c)),
  LayerNormalization: entry(LayerNormalizationConfig, (c) => new LayerNormalization(c)),
  RandomFlip: entry(RandomFlipConfig, (c) => new RandomFlip(c)),
  RandomTranslation: entry(RandomTranslationConfig, (c) => new RandomTranslation(c)),
  Add: entry(AddConfig, (c) => new Add(c)),
  Subtract: entry(SubtractConfig, (c) => new Subtract(c)),
  Multiply: entry(MultiplyConfig, (c) => new Multiply(c)),
  Average: entry(AverageConfig, (c) => new Average(c)),
  Maximum: entry(MaximumConfig, (c) => new Maximum(c)),
  Minimum: entry(MinimumConfig, (c) => new Minimum(c)),
  Concatenate: entry(ConcatenateConfig, (c) => new Concatenate(c)),
  Dot: entry(DotConfig, (c) => new Dot(c)),
  Embedding: entry(EmbeddingConfig, (c) => new Embedding(c)),
  Masking: entry(MaskingConfig, (c) => new Masking(c)),
  TimeDistributed: entry(TimeDistributedConfig, (c) => new TimeDistributed(c)),
  Bidirectional: entry(BidirectionalConfig, (c) => new Bidirectional(c)),
  SimpleRNN: entry(SimpleRNNConfig, (c) => new SimpleRNN(c)),
  LSTM: entry(LSTMConfig, (c) => new LSTM(c)),
  GRU: entry(GRUConfig, (c) => new GRU(c)),
});

/** `{ className, config }` of any brick; config is required. */
export const LayerSpec = LAYERS.spec;
export type LayerSpec = z.input<typeof LayerSpec>;
export type LayerClassName = LayerSpec['className'];

/**
 * Builds a brick from `{ className, config }`, validating the config first; errors name the brick
 * ("Dense 'dense_1': units must be a positive integer, received 0").
 *
 * @example
 * const dense = layerFromSpec({ className: 'Dense', config: { units: 10, activation: 'softmax' } });
 */
export function layerFromSpec(spec: unknown): Brick {
  return LAYERS.create(spec);
}

// Wrappers (TimeDistributed) build their inner brick from its spec through this factory.
provideBrickFactory(layerFromSpec);
