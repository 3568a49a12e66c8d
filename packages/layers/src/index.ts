export { ActivationName, activate, activationGrad } from './activations.js';
export { Dense, DenseConfig } from './dense.js';
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
export { matMulT } from './ops.js';
export { type LayerClassName, LayerSpec, layerFromSpec } from './registry.js';
export { makeRegularizer, type Regularizer, RegularizerConfig } from './regularizers.js';
