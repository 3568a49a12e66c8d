/**
 * Backend selection, seeded randomness, shapes, errors, config parsing and gradient checking.
 *
 * @module \@brickml/core
 */
export {
  BACKENDS,
  type BackendInfo,
  type BackendName,
  currentBackend,
  type UseBackendOptions,
  useBackend,
} from './backend.js';
export { columnSums } from './column-sums.js';
export {
  configObject,
  formatPath,
  nonNegativeInt,
  nonNegativeNumber,
  parseConfig,
  positiveInt,
  positiveNumber,
  valueAt,
} from './config.js';
export { BrickError } from './errors.js';
export type { Formula } from './formula.js';
export * as formula from './formula.js';
export { gatherRows } from './gather-rows.js';
export {
  type CheckableBrick,
  type CheckableMultiInputBrick,
  type GradCheckOptions,
  type GradCheckReport,
  type GradError,
  gradCheck,
} from './grad-check.js';
export { type GRUCellOutputs, gruCell } from './gru-cell.js';
export { type LSTMCellOutputs, lstmCell, lstmCellGrad } from './lstm-cell.js';
export { type LSTMSequenceOutputs, lstmSequence, lstmSequenceGrad, lstmSequenceRuns } from './lstm-sequence.js';
export { setOwnKernels } from './own-kernels.js';
export { pad2d } from './pad.js';
export { Random, type RandomState, rng, setSeed } from './random.js';
export {
  type ConfigPresence,
  entry,
  type Registry,
  type RegistryEntry,
  registry,
  type SpecMember,
  type SpecUnion,
} from './registry.js';
export { ownRouteToFirstMax, routeToFirstMax } from './route-to-max.js';
export {
  assertBatchShape,
  concreteShape,
  fixedShape,
  formatShape,
  type Shape,
  shapesEqual,
  sizeOf,
} from './shape.js';
export { splitColumns } from './split-columns.js';
export { conv2d, conv2dKernelGrad } from './wasm-conv.js';
export { type Addend, type Epilogue, matMul, ownMatMul, ownMatMulThreads } from './wasm-matmul.js';
