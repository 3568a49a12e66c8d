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
import { Conv2D, Conv2DConfig } from './convolutional/conv2d.js';
import { Dense, DenseConfig } from './core/dense.js';
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
import { AveragePooling2D, AveragePooling2DConfig } from './pooling/average-pooling-2d.js';
import { GlobalAveragePooling2D, GlobalAveragePooling2DConfig } from './pooling/global-average-pooling-2d.js';
import { GlobalMaxPooling2D, GlobalMaxPooling2DConfig } from './pooling/global-max-pooling-2d.js';
import { MaxPooling2D, MaxPooling2DConfig } from './pooling/max-pooling-2d.js';
import { RandomFlip, RandomFlipConfig } from './preprocessing/random-flip.js';
import { RandomTranslation, RandomTranslationConfig } from './preprocessing/random-translation.js';
import { Dropout, DropoutConfig } from './regularization/dropout.js';
import { Flatten, FlattenConfig } from './reshaping/flatten.js';
import { Reshape, ReshapeConfig } from './reshaping/reshape.js';

const LAYERS = registry('layerFromSpec', {
  Dense: entry(DenseConfig, (c) => new Dense(c)),
  ReLU: entry(ReLUConfig, (c) => new ReLU(c)),
  LeakyReLU: entry(LeakyReLUConfig, (c) => new LeakyReLU(c)),
  Sigmoid: entry(SigmoidConfig, (c) => new Sigmoid(c)),
  Tanh: entry(TanhConfig, (c) => new Tanh(c)),
  Softmax: entry(SoftmaxConfig, (c) => new Softmax(c)),
  Activation: entry(ActivationConfig, (c) => new Activation(c)),
  Dropout: entry(DropoutConfig, (c) => new Dropout(c)),
  Flatten: entry(FlattenConfig, (c) => new Flatten(c)),
  Reshape: entry(ReshapeConfig, (c) => new Reshape(c)),
  Conv2D: entry(Conv2DConfig, (c) => new Conv2D(c)),
  MaxPooling2D: entry(MaxPooling2DConfig, (c) => new MaxPooling2D(c)),
  AveragePooling2D: entry(AveragePooling2DConfig, (c) => new AveragePooling2D(c)),
  GlobalAveragePooling2D: entry(GlobalAveragePooling2DConfig, (c) => new GlobalAveragePooling2D(c)),
  GlobalMaxPooling2D: entry(GlobalMaxPooling2DConfig, (c) => new GlobalMaxPooling2D(c)),
  BatchNormalization: entry(BatchNormalizationConfig, (c) => new BatchNormalization(c)),
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
