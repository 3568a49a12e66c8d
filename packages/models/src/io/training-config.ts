/**
 * compile's arguments as JSON, so a save can hand back a compiled model: each output's loss and metrics,
 * the loss weights, and the optimizer spec (its learning rate as it is now: a schedule's spec, or the value
 * ReduceLROnPlateau last set).
 */
import { BrickError, configObject } from '@brickml/core';
import { LossSpec } from '@brickml/losses';
import { OptimizerSpec } from '@brickml/optimizers';
import { z } from 'zod';
import type { CompileArgs } from '../engine/compile.js';
import type { MetricSpec } from '../metrics/index.js';
import type { Model } from '../model.js';

const MetricJson = z.union([
  z.string(),
  configObject({ className: z.string(), config: z.record(z.string(), z.unknown()).optional() }),
]);

export const TrainingConfig = configObject({
  /** The optimizer as `{ className, config }`. */
  optimizer: OptimizerSpec,
  /** Each output's loss, by output name. */
  loss: z.record(z.string(), LossSpec),
  /** Each output's weight in the total loss, by output name. */
  lossWeights: z.record(z.string(), z.number()),
  /** Each output's metrics, by output name. */
  metrics: z.record(z.string(), z.array(MetricJson)),
});
export type TrainingConfig = z.output<typeof TrainingConfig>;

/** The compiled configuration as JSON; null when the model is not compiled. */
export function trainingConfigOf(who: string, model: Model): TrainingConfig | null {
  if (!model.isCompiled) return null;
  const outputs = model.compiledOutputs;
  const byName = <T>(f: (o: (typeof outputs)[number]) => T) => Object.fromEntries(outputs.map((o) => [o.name, f(o)]));
  return {
    optimizer: model.optimizer.toSpec() as TrainingConfig['optimizer'],
    loss: byName((o) => o.loss.toSpec() as TrainingConfig['loss'][string]),
    lossWeights: byName((o) => o.weight),
    metrics: byName((o) => o.metricSpecs.map((m) => metricJson(who, o.name, m))),
  };
}

function metricJson(who: string, output: string, m: MetricSpec): z.output<typeof MetricJson> {
  if (typeof m === 'string') return m;
  if (!('update' in m)) return { className: m.className, ...(m.config && { config: m.config }) };
  const { className, config } = m as { className?: unknown; config?: unknown };
  if (typeof className === 'string' && typeof config === 'object' && config !== null) {
    return { className, config: JSON.parse(JSON.stringify(config)) };
  }
  throw new BrickError(
    `${who}: metric '${m.name}' of output '${output}' is an object without className and config, so it cannot be saved; give it by name or as { className, config }, or save with includeOptimizer: false`,
    who,
  );
}

/** compile's arguments from the saved JSON. */
export function compileArgsOf(config: TrainingConfig): CompileArgs {
  return {
    optimizer: config.optimizer,
    loss: config.loss as CompileArgs['loss'],
    lossWeights: config.lossWeights,
    metrics: config.metrics as Record<string, MetricSpec[]>,
  };
}
