/**
 * A compiled model's training config in tfjs-layers' dialect (what its model.json's trainingConfig holds):
 * loss and metrics by snake_case name, optimizer_config in tfjs' camelCase with tfjs' class names. The
 * reading side is training-config.ts, shared with Keras 3.
 */
import { type LossClassName, lossFromSpec } from '@brickml/losses';
import type { Model } from '../../model.js';
import { snake } from './names.js';
import type { Translation } from './training-config.js';

type Json = Record<string, unknown>;

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

/** brickml optimizer spec → tfjs-layers' optimizer_config, or why tfjs-layers cannot take it. */
function tfjsOptimizer({ className, config: c }: { className: string; config: Json }): Translation<Json> {
  const why = (what: string): Translation<Json> => ({ why: `tfjs-layers 4.22 has no ${className} with ${what}` });
  for (const key of ['weightDecay', 'clipNorm', 'clipValue', 'globalClipNorm']) {
    if (c[key] != null) return why(key);
  }
  if (typeof c.learningRate !== 'number') return why('a learning-rate schedule');
  const lr = { learningRate: c.learningRate };
  switch (className) {
    case 'SGD':
      if (c.momentum) {
        return { value: { class_name: 'Momentum', config: { ...lr, momentum: c.momentum, useNesterov: c.nesterov } } };
      }
      return c.nesterov ? why('nesterov and no momentum') : { value: { class_name: 'SGD', config: lr } };
    case 'Adam':
      if (c.amsgrad) return why('amsgrad');
      return { value: { class_name: 'Adam', config: { ...lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon } } };
    case 'RMSprop':
      return {
        value: {
          class_name: 'RMSProp',
          config: { ...lr, decay: c.rho, momentum: c.momentum, epsilon: c.epsilon, centered: c.centered },
        },
      };
    case 'Adadelta':
      return { value: { class_name: 'Adadelta', config: { ...lr, rho: c.rho, epsilon: c.epsilon } } };
    case 'Adamax':
      return {
        value: {
          class_name: 'Adamax',
          config: { ...lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, decay: 0 },
        },
      };
    default:
      return { why: `tfjs-layers 4.22 has no optimizer ${className}` };
  }
}

/**
 * The compiled model's training config as tfjs-layers writes it; null when the model is not compiled, why
 * not when tfjs-layers lacks its optimizer, a loss or its setting, a metric given other than by name, or
 * a loss weight.
 */
export function tfjsTrainingConfig(model: Model): Translation<Json> | null {
  if (!model.isCompiled) return null;
  const optimizer = tfjsOptimizer(model.optimizer.toSpec() as { className: string; config: Json });
  if ('why' in optimizer) return optimizer;
  const outputs = model.compiledOutputs;
  const losses: string[] = [];
  for (const o of outputs) {
    // tfjs-layers takes a loss by name only: at its defaults.
    const { className, config } = o.loss.toSpec();
    const defaults = lossFromSpec(className as LossClassName).toSpec().config;
    const name = TFJS_LOSSES[className];
    if (!name) return { why: `tfjs-layers 4.22 has no loss ${className}` };
    if (JSON.stringify(config) !== JSON.stringify(defaults)) {
      return { why: `tfjs-layers 4.22 takes loss ${className} by name only, at its defaults` };
    }
    if (o.weight !== 1) return { why: `tfjs-layers 4.22 has no loss weights (output '${o.name}' weighs ${o.weight})` };
    losses.push(name);
  }
  const metrics: string[][] = [];
  for (const o of outputs) {
    const refused = o.metricSpecs.find((m) => typeof m !== 'string');
    if (refused !== undefined) {
      const label = (refused as { name?: string; className?: string }).className ?? (refused as { name?: string }).name;
      return { why: `tfjs-layers 4.22 takes metrics by name only, received metric ${label}` };
    }
    metrics.push((o.metricSpecs as string[]).map(snake));
  }
  const single = outputs.length === 1;
  const byOutput = <T>(list: T[]) => (single ? list[0] : Object.fromEntries(outputs.map((o, i) => [o.name, list[i]])));
  return { value: { loss: byOutput(losses), metrics: byOutput(metrics), optimizer_config: optimizer.value } };
}
