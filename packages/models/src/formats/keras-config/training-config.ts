/**
 * Keras 2's training_config (what the TensorFlow.js converter copies into model.json) and tfjs-layers'
 * trainingConfig, ↔ brickml's compile arguments. Keras 2 writes optimizer settings in snake_case
 * (learning_rate or lr, beta_1), tfjs-layers in camelCase (learningRate, beta1) with its own class names
 * (RMSProp, whose decay is rho; Momentum, SGD with momentum). A setting brickml cannot honour (a legacy
 * learning-rate decay, EMA, weighted metrics, a schedule) leaves the model uncompiled: null.
 */
import { lossFromSpec } from '@brickml/losses';
import type { CompileArgs } from '../../engine/compile.js';
import type { Model } from '../../model.js';
import { camel, isRecord, snake } from './errors.js';

type Json = Record<string, unknown>;

/** Keras 2 / tfjs optimizer class → brickml's. */
const OPTIMIZERS: Record<string, string> = {
  Adam: 'Adam',
  SGD: 'SGD',
  Momentum: 'SGD',
  RMSprop: 'RMSprop',
  RMSProp: 'RMSprop',
  Adagrad: 'Adagrad',
  Adadelta: 'Adadelta',
  Adamax: 'Adamax',
  Nadam: 'Nadam',
  AdamW: 'AdamW',
};

/** Keys (after camelCase) whose brickml name differs, per class or for all. */
const RENAMES: Record<string, string> = {
  lr: 'learningRate',
  useNesterov: 'nesterov',
  clipnorm: 'clipNorm',
  clipvalue: 'clipValue',
  globalClipnorm: 'globalClipNorm',
};

/** Fields that change nothing brickml computes at the value given (undefined: any value). */
const NEUTRAL: Record<string, unknown> = {
  name: undefined,
  jitCompile: undefined,
  isLegacyOptimizer: undefined,
  useEma: false,
  emaMomentum: undefined,
  emaOverwriteFrequency: undefined,
  lossScaleFactor: null,
  gradientAccumulationSteps: null,
};

function optimizerOf(v: unknown): CompileArgs['optimizer'] | null {
  if (!isRecord(v) || typeof v.class_name !== 'string') return null;
  const className = OPTIMIZERS[v.class_name];
  if (!className) return null;
  const config: Json = {};
  for (const [k, value] of Object.entries(isRecord(v.config) ? v.config : {})) {
    let key = camel(k).replace(/beta(\d)$/, 'beta$1');
    if (key in NEUTRAL) {
      if (NEUTRAL[key] !== undefined && value !== NEUTRAL[key] && value !== null) return null;
      continue;
    }
    if (value === null) continue;
    // tfjs' RMSProp calls rho decay; elsewhere decay is Keras 2's legacy learning-rate decay, honoured at 0.
    if (key === 'decay') {
      if (v.class_name !== 'RMSProp') {
        if (value !== 0) return null;
        continue;
      }
      key = 'rho';
    }
    if (typeof value === 'object') return null;
    config[RENAMES[key] ?? key] = value;
  }
  return { className, config } as CompileArgs['optimizer'];
}

/** A loss name, or a Keras loss object at Keras' reduction, as brickml's spec. */
function lossOf(v: unknown): CompileArgs['loss'] | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const all = v.map(lossOf);
    return all.every((l) => typeof l === 'string' || isRecord(l)) ? (all as CompileArgs['loss']) : null;
  }
  if (!isRecord(v)) return null;
  if (typeof v.class_name !== 'string') {
    const entries = Object.entries(v).map(([k, l]) => [k, lossOf(l)] as const);
    return entries.every(([, l]) => l !== null) ? (Object.fromEntries(entries) as CompileArgs['loss']) : null;
  }
  const config: Json = {};
  for (const [k, value] of Object.entries(isRecord(v.config) ? v.config : {})) {
    if (k === 'name') continue;
    if (k === 'reduction') {
      if (value !== 'auto' && value !== 'sum_over_batch_size') return null;
      continue;
    }
    config[camel(k)] = value;
  }
  return { className: v.class_name, config } as CompileArgs['loss'];
}

/**
 * compile's arguments from a Keras 2 / tfjs-layers training config, or null when it holds a setting brickml
 * cannot honour. Whether brickml has each loss, optimizer and metric named is for compile to say.
 */
export function compileArgsFromKerasTraining(config: unknown): CompileArgs | null {
  if (!isRecord(config)) return null;
  const optimizer = optimizerOf(config.optimizer_config);
  const loss = lossOf(config.loss);
  if (!optimizer || loss === null || loss === undefined) return null;
  if (config.sample_weight_mode != null) return null;
  const weighted = config.weighted_metrics;
  if (weighted != null && !(Array.isArray(weighted) && weighted.length === 0)) return null;
  const args: CompileArgs = { optimizer, loss };
  const weights = config.loss_weights;
  if (Array.isArray(weights) || isRecord(weights)) args.lossWeights = weights as CompileArgs['lossWeights'];
  const metrics = config.metrics;
  if (Array.isArray(metrics)) {
    const flat = metrics.flat();
    if (!flat.every((m) => typeof m === 'string')) return null;
    args.metrics = flat as CompileArgs['metrics'];
  } else if (isRecord(metrics)) args.metrics = metrics as CompileArgs['metrics'];
  return args;
}

/** The losses tfjs-layers 4.22 knows by name, by brickml's class. */
const TFJS_LOSSES: Record<string, string> = {
  MeanSquaredError: 'mean_squared_error',
  MeanAbsoluteError: 'mean_absolute_error',
  BinaryCrossentropy: 'binary_crossentropy',
  CategoricalCrossentropy: 'categorical_crossentropy',
  SparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  Hinge: 'hinge',
  SquaredHinge: 'squared_hinge',
  CategoricalHinge: 'categorical_hinge',
  LogCosh: 'logcosh',
  KLDivergence: 'kullback_leibler_divergence',
  Poisson: 'poisson',
};

/** brickml optimizer spec → tfjs-layers' optimizer_config, or null where tfjs has no such optimizer. */
function tfjsOptimizer({ className, config: c }: { className: string; config: Json }): Json | null {
  if (c.weightDecay != null || c.clipNorm != null || c.clipValue != null || c.globalClipNorm != null) return null;
  if (typeof c.learningRate !== 'number') return null;
  const lr = { learningRate: c.learningRate };
  switch (className) {
    case 'SGD':
      return c.momentum
        ? { class_name: 'Momentum', config: { ...lr, momentum: c.momentum, useNesterov: c.nesterov } }
        : c.nesterov
          ? null
          : { class_name: 'SGD', config: lr };
    case 'Adam':
      return c.amsgrad
        ? null
        : { class_name: 'Adam', config: { ...lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon } };
    case 'RMSprop':
      return {
        class_name: 'RMSProp',
        config: { ...lr, decay: c.rho, momentum: c.momentum, epsilon: c.epsilon, centered: c.centered },
      };
    case 'Adadelta':
      return { class_name: 'Adadelta', config: { ...lr, rho: c.rho, epsilon: c.epsilon } };
    case 'Adamax':
      return { class_name: 'Adamax', config: { ...lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, decay: 0 } };
    default:
      return null;
  }
}

/**
 * The compiled model's training config as tfjs-layers writes it (loss and metrics by snake_case name,
 * optimizer_config in tfjs' camelCase), or null when the model is not compiled or tfjs-layers lacks its
 * optimizer, a loss setting or the per-output form it uses.
 */
export function kerasTrainingConfig(model: Model): Json | null {
  if (!model.isCompiled) return null;
  const optimizer = tfjsOptimizer(model.optimizer.toSpec() as { className: string; config: Json });
  const outputs = model.compiledOutputs;
  // tfjs-layers takes a loss by name only: at its defaults.
  const losses = outputs.map((o) => {
    const { className, config } = o.loss.toSpec();
    const defaults = lossFromSpec(className).toSpec().config;
    return JSON.stringify(config) === JSON.stringify(defaults) ? (TFJS_LOSSES[className] ?? null) : null;
  });
  if (!optimizer || losses.some((l) => l === null) || outputs.some((o) => o.weight !== 1)) return null;
  const metricNames = (specs: unknown[]) =>
    specs.every((m) => typeof m === 'string') ? specs.map((m) => snake(m as string)) : null;
  const metrics = outputs.map((o) => metricNames(o.metricSpecs));
  if (metrics.some((m) => m === null)) return null;
  const single = outputs.length === 1;
  return {
    loss: single ? losses[0] : Object.fromEntries(outputs.map((o, i) => [o.name, losses[i]])),
    metrics: single ? metrics[0] : Object.fromEntries(outputs.map((o, i) => [o.name, metrics[i]])),
    optimizer_config: optimizer,
  };
}
