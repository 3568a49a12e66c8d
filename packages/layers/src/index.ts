/**
 * brickml's bricks: the brick contract, symbolic tensors and `input()`, every layer with its hand-written
 * backward pass, initializers, regularizers and the layer registry.
 *
 * @module \@brickml/layers
 */
export { Activation, ActivationConfig } from './activations/activation.js';
export { ActivationName, activate, activationGrad } from './activations/functions.js';
export { LeakyReLU, LeakyReLUConfig } from './activations/leaky-relu.js';
export { ReLU, ReLUConfig } from './activations/relu.js';
export { Sigmoid, SigmoidConfig } from './activations/sigmoid.js';
export { Softmax, SoftmaxConfig } from './activations/softmax.js';
export { Tanh, TanhConfig } from './activations/tanh.js';
export type { PoolFields } from './convolutional/conv-utils.js';
export { Conv1D, Conv1DConfig } from './convolutional/conv1d.js';
export { Conv2D, Conv2DConfig } from './convolutional/conv2d.js';
export { Conv2DTranspose, Conv2DTransposeConfig } from './convolutional/conv2d-transpose.js';
export { DepthwiseConv2D, DepthwiseConv2DConfig } from './convolutional/depthwise-conv2d.js';
export { SeparableConv2D, SeparableConv2DConfig } from './convolutional/separable-conv2d.js';
export { Dense, DenseConfig } from './core/dense.js';
export { Embedding, EmbeddingConfig } from './core/embedding.js';
export { Masking, MaskingConfig } from './core/masking.js';
export { Initializer, initialize, makeVariable } from './initializers.js';
export type { KernelFields } from './kernel-config.js';
export {
  type BaseFields,
  BaseLayer,
  BaseMultiInputLayer,
  type Brick,
  type BrickSpec,
  baseConfig,
  callBrick,
  type ForwardOptions,
  type Grads,
  isMultiInput,
  type Layer,
  type MultiInputLayer,
  type Params,
} from './layer.js';
export { Add, AddConfig } from './merging/add.js';
export { Average, AverageConfig } from './merging/average.js';
export { Concatenate, ConcatenateConfig } from './merging/concatenate.js';
export { Dot, DotConfig } from './merging/dot.js';
export { Maximum, MaximumConfig } from './merging/maximum.js';
export { Minimum, MinimumConfig } from './merging/minimum.js';
export { Multiply, MultiplyConfig } from './merging/multiply.js';
export { Subtract, SubtractConfig } from './merging/subtract.js';
export { autoName } from './names.js';
export { BatchNormalization, BatchNormalizationConfig } from './normalization/batch-normalization.js';
export { LayerNormalization, LayerNormalizationConfig } from './normalization/layer-normalization.js';
export { matMulT } from './ops.js';
export { AveragePooling2D, AveragePooling2DConfig } from './pooling/average-pooling-2d.js';
export { GlobalAveragePooling1D, GlobalAveragePooling1DConfig } from './pooling/global-average-pooling-1d.js';
export { GlobalAveragePooling2D, GlobalAveragePooling2DConfig } from './pooling/global-average-pooling-2d.js';
export { GlobalMaxPooling2D, GlobalMaxPooling2DConfig } from './pooling/global-max-pooling-2d.js';
export { MaxPooling1D, MaxPooling1DConfig } from './pooling/max-pooling-1d.js';
export { MaxPooling2D, MaxPooling2DConfig } from './pooling/max-pooling-2d.js';
export { RandomFlip, RandomFlipConfig } from './preprocessing/random-flip.js';
export { RandomTranslation, RandomTranslationConfig } from './preprocessing/random-translation.js';
export { GRU, GRUConfig } from './recurrent/gru.js';
export { LSTM, LSTMConfig } from './recurrent/lstm.js';
export { Recurrent, type RecurrentFields, type RecurrentParams } from './recurrent/recurrent.js';
export { SimpleRNN, SimpleRNNConfig } from './recurrent/simple-rnn.js';
export { type LayerClassName, LayerSpec, layerFromSpec } from './registry.js';
export { Dropout, DropoutConfig } from './regularization/dropout.js';
export { GaussianNoise, GaussianNoiseConfig } from './regularization/gaussian-noise.js';
export { SpatialDropout2D, SpatialDropout2DConfig } from './regularization/spatial-dropout-2d.js';
export { makeRegularizer, type Regularizer, RegularizerConfig } from './regularizers.js';
export { Cropping2D, Cropping2DConfig } from './reshaping/cropping-2d.js';
export { Flatten, FlattenConfig } from './reshaping/flatten.js';
export { Margins2D } from './reshaping/margins-2d.js';
export { RepeatVector, RepeatVectorConfig } from './reshaping/repeat-vector.js';
export { Reshape, ReshapeConfig } from './reshaping/reshape.js';
export { UpSampling2D, UpSampling2DConfig } from './reshaping/up-sampling-2d.js';
export { ZeroPadding2D, ZeroPadding2DConfig } from './reshaping/zero-padding-2d.js';
export {
  type DType,
  InputConfig,
  InputLayer,
  input,
  isSymbolic,
  Node,
  type NodeOwner,
  SymbolicTensor,
} from './symbolic.js';
export { Bidirectional, BidirectionalConfig } from './wrappers/bidirectional.js';
export { TimeDistributed, TimeDistributedConfig } from './wrappers/time-distributed.js';
