/**
 * compile's arguments, resolved per model output: one loss for every output, a list, or a record keyed by
 * output name; loss weights as a list or record; metrics as one list for every output or a record of lists.
 */
import { BrickError } from '@brickml/core';
import { type Loss, type LossSpec, lossFromSpec } from '@brickml/losses';
import type { Optimizer, OptimizerSpec } from '@brickml/optimizers';
import { type MetricSpec, metricFromSpec } from '../metrics/index.js';
import type { Metric } from '../types.js';

type LossArg = Loss | LossSpec;

export interface CompileArgs {
  /** An Optimizer, a Keras name ('adam') or `{ className, config }`; names and class names are typed literally. */
  optimizer: Optimizer | OptimizerSpec;
  /**
   * A Loss, a Keras name ('categoricalCrossentropy', typed as `LossName`) or `{ className, config }`: one for
   * every output, a list (one per output, in order) or a record keyed by output name.
   */
  loss: LossArg | LossArg[] | Record<string, LossArg>;
  /** Weight of each output's loss in the total: a list or a record by output name. Default: 1 each. */
  lossWeights?: number[] | Record<string, number>;
  /**
   * Metrics logged beside the loss: instances, names ('accuracy', typed as `MetricName`) or
   * `{ className, config }`, one list for every output or a record of lists by output name. Default: none.
   */
  metrics?: MetricSpec[] | Record<string, MetricSpec[]>;
}

/** One output's part of the compiled model. */
export interface CompiledOutput {
  readonly name: string;
  readonly loss: Loss;
  readonly weight: number;
  readonly metricSpecs: MetricSpec[];
}

const isLossArg = (x: unknown) =>
  typeof x === 'string' || (typeof x === 'object' && x !== null && ('className' in x || 'value' in x));

/** Per output, in output order: the loss, its weight and its metric specs, with named errors. */
export function resolveOutputs(who: string, outputNames: readonly string[], args: CompileArgs): CompiledOutput[] {
  const fail = (message: string): never => {
    throw new BrickError(`${who}: ${message}`, who);
  };
  const n = outputNames.length;
  const perOutput = <T>(field: string, value: T[] | Record<string, T>, fallback: T | undefined): T[] => {
    if (Array.isArray(value)) {
      if (value.length !== n) fail(`${field} must list ${n} entries (one per output), received ${value.length}`);
      return value;
    }
    for (const key of Object.keys(value)) {
      if (!outputNames.includes(key))
        fail(`${field} names output '${key}', but the outputs are ${outputNames.map((o) => `'${o}'`).join(', ')}`);
    }
    return outputNames.map((o) => {
      const v = value[o] ?? fallback;
      return v === undefined ? fail(`${field} has no entry for output '${o}'`) : v;
    });
  };
  const losses = isLossArg(args.loss)
    ? outputNames.map(() => args.loss as LossArg)
    : perOutput('loss', args.loss as LossArg[] | Record<string, LossArg>, undefined);
  const weights =
    args.lossWeights === undefined ? outputNames.map(() => 1) : perOutput('lossWeights', args.lossWeights, 1);
  weights.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      fail(`lossWeights for output '${outputNames[i]}' must be a finite number >= 0, received ${JSON.stringify(w)}`);
    }
  });
  const metrics = args.metrics ?? [];
  const metricLists = Array.isArray(metrics) ? outputNames.map(() => metrics) : perOutput('metrics', metrics, []);
  if (Array.isArray(metrics) && n > 1 && metrics.some((m) => typeof m === 'object' && m !== null && 'update' in m)) {
    fail('a Metric instance cannot serve several outputs; give metrics as a record by output name');
  }
  return outputNames.map((name, i) => ({
    name,
    // A Loss object given once serves every output: losses keep no state between calls.
    loss: lossFromSpec(losses[i] as LossArg),
    weight: weights[i] as number,
    metricSpecs: metricLists[i] as MetricSpec[],
  }));
}

/** An output's metrics, made once its width is known ('accuracy' picks its kind from it and the loss). */
export function makeMetrics(output: CompiledOutput, units: number | undefined): Metric[] {
  const made: Metric[] = [];
  try {
    for (const m of output.metricSpecs) made.push(metricFromSpec(m, output.loss.className, units));
  } catch (e) {
    // The ones made here before a bad spec hold accumulators; a Metric the caller passed stays theirs.
    for (const m of made) if (!output.metricSpecs.includes(m)) m.dispose();
    throw e;
  }
  return made;
}
