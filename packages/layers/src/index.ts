export { Activation, ActivationConfig } from './activation.js';
export { ActivationName, activate, activationGrad } from './activations.js';
export { AveragePooling2D, AveragePooling2DConfig } from './average-pooling-2d.js';
export { BatchNormalization, BatchNormalizationConfig } from './batch-normalization.js';
export { Conv2D, Conv2DConfig } from './conv2d.js';
export { Dense, DenseConfig } from './dense.js';
export { Dropout, DropoutConfig } from './dropout.js';
export { Flatten, FlattenConfig } from './flatten.js';
export { GlobalAveragePooling2D, GlobalAveragePooling2DConfig } from './global-average-pooling-2d.js';
export { GlobalMaxPooling2D, GlobalMaxPooling2DConfig } from './global-max-pooling-2d.js';
export { Initializer, initialize, makeVariable } from './initializers.js';
export {
  BaseLayer,
  type BrickSpec,
  baseConfig,
  type ForwardOptions,
  type Grads,
  type Layer,
  type Params,
} from './layer.js';
export { LeakyReLU, LeakyReLUConfig } from './leaky-relu.js';
export { MaxPooling2D, MaxPooling2DConfig } from './max-pooling-2d.js';
export { matMulT } from './ops.js';
export { RandomFlip, RandomFlipConfig } from './random-flip.js';
export { RandomTranslation, RandomTranslationConfig } from './random-translation.js';
export { type LayerClassName, LayerSpec, layerFromSpec } from './registry.js';
export { makeRegularizer, type Regularizer, RegularizerConfig } from './regularizers.js';
export { ReLU, ReLUConfig } from './relu.js';
export { Reshape, ReshapeConfig } from './reshape.js';
export { Sigmoid, SigmoidConfig } from './sigmoid.js';
export { Softmax, SoftmaxConfig } from './softmax.js';
export { Tanh, TanhConfig } from './tanh.js';
