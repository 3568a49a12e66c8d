/**
 * A compiled model's compile_config as Keras 3 writes it (model.get_compile_config(): optimizer, loss,
 * loss_weights, metrics, ...). Keras' optimizer and loss objects carry fields brickml has no use for (EMA,
 * loss scaling, gradient accumulation, reduction); they are written at the value that changes nothing
 * brickml computes. The reading side is formats/keras-config/training-config.ts, shared with Keras 2.
 */
import { BrickError } from '@brickml/core';
import type { MetricSpec } from '../../metrics/index.js';
import type { Model } from '../../model.js';
import { isRecord, snake } from '../keras-config/names.js';
import { KERAS3_OPTIMIZERS } from '../keras-config/training-config.js';

type Json = Record<string, unknown>;

/** brickml's optimizer keys whose Keras 3 name is not their snake_case. */
const OPTIMIZER_KEYS: Record<string, string> = {
  beta1: 'beta_1',
  beta2: 'beta_2',
  clipNorm: 'clipnorm',
  clipValue: 'clipvalue',
  globalClipNorm: 'global_clipnorm',
};

const kerasObject = (module: string, className: string, config: Json) => ({
  module,
  class_name: className,
  config,
  registered_name: null,
});

/** brickml config → Keras fields: snake_case keys (beta1 → beta_1), schedules as Keras objects. */
function kerasFields(config: Json, keys: Record<string, string> = {}): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    const o = isRecord(v) && typeof v.className === 'string' ? v : null;
    out[keys[k] ?? snake(k)] = o
      ? kerasObject('keras.optimizers.schedules', o.className as string, kerasFields((o.config as Json) ?? {}))
      : v;
  }
  return out;
}

/** One metric as Keras 3 writes it: a name as given, `{ className, config }` as a keras.metrics object. */
function kerasMetric(who: string, output: string, m: MetricSpec): unknown {
  if (typeof m === 'string') return m;
  const { className, config } = m as { className?: unknown; config?: unknown };
  if (typeof className !== 'string') {
    const name = (m as { name?: unknown }).name;
    throw new BrickError(
      `${who}: metric '${String(name)}' of output '${output}' is an object without className and config, so Keras cannot read it; give it by name or as { className, config }, or save with includeOptimizer: false`,
      who,
    );
  }
  const c = isRecord(config) ? (JSON.parse(JSON.stringify(config)) as Json) : {};
  return kerasObject('keras.metrics', className, { name: snake(className), dtype: 'float32', ...kerasFields(c) });
}

/** The model's compile_config as Keras 3 writes it; {} for a model that is not compiled. */
export function kerasCompileConfig(who: string, model: Model): Json {
  if (!model.isCompiled) return {};
  const opt = model.optimizer.toSpec();
  const name = KERAS3_OPTIMIZERS[opt.className];
  if (name === undefined) throw new BrickError(`${who}: Keras 3 has no optimizer ${opt.className}`, who);
  const optimizer = kerasObject('keras.optimizers', opt.className, {
    name,
    learning_rate: null,
    weight_decay: null,
    clipnorm: null,
    global_clipnorm: null,
    clipvalue: null,
    use_ema: false,
    ema_momentum: 0.99,
    ema_overwrite_frequency: null,
    loss_scale_factor: null,
    gradient_accumulation_steps: null,
    ...kerasFields(opt.config, OPTIMIZER_KEYS),
  });
  const outputs = model.compiledOutputs;
  const lossOfOutput = (o: (typeof outputs)[number]) => {
    const spec = o.loss.toSpec();
    return kerasObject('keras.losses', spec.className, {
      name: snake(spec.className),
      reduction: 'sum_over_batch_size',
      ...kerasFields(spec.config),
    });
  };
  const metricsOf = (o: (typeof outputs)[number]) => o.metricSpecs.map((m) => kerasMetric(who, o.name, m));
  const single = outputs.length === 1;
  const first = outputs[0];
  return {
    optimizer,
    loss: single && first ? lossOfOutput(first) : Object.fromEntries(outputs.map((o) => [o.name, lossOfOutput(o)])),
    loss_weights: outputs.every((o) => o.weight === 1)
      ? null
      : Object.fromEntries(outputs.map((o) => [o.name, o.weight])),
    metrics: outputs.every((o) => o.metricSpecs.length === 0)
      ? null
      : single && first
        ? metricsOf(first)
        : Object.fromEntries(outputs.map((o) => [o.name, metricsOf(o)])),
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };
}
