/**
 * The one list of bricks. Adding a brick adds one union entry and one case below; the exhaustive
 * switch makes a missing case a compile error.
 */
import { BrickError, parseConfig } from '@brickml/core';
import { z } from 'zod';
import { Activation, ActivationConfig } from './activations/activation.js';
import { LeakyReLU, LeakyReLUConfig } from './activations/leaky-relu.js';
import { ReLU, ReLUConfig } from './activations/relu.js';
import { Sigmoid, SigmoidConfig } from './activations/sigmoid.js';
import { Softmax, SoftmaxConfig } from './activations/softmax.js';
import { Tanh, TanhConfig } from './activations/tanh.js';
import { Conv2D, Conv2DConfig } from './convolutional/conv2d.js';
import { Dense, DenseConfig } from './core/dense.js';
import type { Layer } from './layer.js';
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

const entry = <N extends string, C extends z.ZodType>(className: N, config: C) =>
  z.strictObject({ className: z.literal(className), config: config });

export const LayerSpec = z.discriminatedUnion('className', [
  entry('Dense', DenseConfig),
  entry('ReLU', ReLUConfig),
  entry('LeakyReLU', LeakyReLUConfig),
  entry('Sigmoid', SigmoidConfig),
  entry('Tanh', TanhConfig),
  entry('Softmax', SoftmaxConfig),
  entry('Activation', ActivationConfig),
  entry('Dropout', DropoutConfig),
  entry('Flatten', FlattenConfig),
  entry('Reshape', ReshapeConfig),
  entry('Conv2D', Conv2DConfig),
  entry('MaxPooling2D', MaxPooling2DConfig),
  entry('AveragePooling2D', AveragePooling2DConfig),
  entry('GlobalAveragePooling2D', GlobalAveragePooling2DConfig),
  entry('GlobalMaxPooling2D', GlobalMaxPooling2DConfig),
  entry('BatchNormalization', BatchNormalizationConfig),
  entry('RandomFlip', RandomFlipConfig),
  entry('RandomTranslation', RandomTranslationConfig),
]);
export type LayerSpec = z.input<typeof LayerSpec>;
export type LayerClassName = LayerSpec['className'];

/** Builds a brick from `{ className, config }`, validating the config first. */
export function layerFromSpec(spec: unknown): Layer {
  const className = (spec as { className?: unknown } | null)?.className;
  if (typeof className !== 'string' || !LayerSpec.options.some((o) => o.shape.className.value === className)) {
    const known = LayerSpec.options.map((o) => o.shape.className.value).join(', ');
    throw new BrickError(
      `layerFromSpec: unknown className ${JSON.stringify(className)}, expected one of ${known}`,
      'layerFromSpec',
    );
  }
  const parsed = parseConfig(className, LayerSpec, spec);
  return build(parsed);
}

function build(spec: z.output<typeof LayerSpec>): Layer {
  switch (spec.className) {
    case 'Dense':
      return new Dense(spec.config);
    case 'ReLU':
      return new ReLU(spec.config);
    case 'LeakyReLU':
      return new LeakyReLU(spec.config);
    case 'Sigmoid':
      return new Sigmoid(spec.config);
    case 'Tanh':
      return new Tanh(spec.config);
    case 'Softmax':
      return new Softmax(spec.config);
    case 'Activation':
      return new Activation(spec.config);
    case 'Dropout':
      return new Dropout(spec.config);
    case 'Flatten':
      return new Flatten(spec.config);
    case 'Reshape':
      return new Reshape(spec.config);
    case 'Conv2D':
      return new Conv2D(spec.config);
    case 'MaxPooling2D':
      return new MaxPooling2D(spec.config);
    case 'AveragePooling2D':
      return new AveragePooling2D(spec.config);
    case 'GlobalAveragePooling2D':
      return new GlobalAveragePooling2D(spec.config);
    case 'GlobalMaxPooling2D':
      return new GlobalMaxPooling2D(spec.config);
    case 'BatchNormalization':
      return new BatchNormalization(spec.config);
    case 'RandomFlip':
      return new RandomFlip(spec.config);
    case 'RandomTranslation':
      return new RandomTranslation(spec.config);
    default:
      return unreachable(spec);
  }
}

function unreachable(spec: never): never {
  throw new BrickError(`layerFromSpec: no factory for ${JSON.stringify(spec)}`, 'layerFromSpec');
}
