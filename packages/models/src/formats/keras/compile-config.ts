/**
 * Keras 3's compile_config (model.get_compile_config(): optimizer, loss, loss_weights, metrics, ...) and
 * brickml's compile arguments. Keras' optimizer and loss objects carry fields brickml has no use for (EMA,
 * loss scaling, gradient accumulation, reduction); they are read only at the value that changes nothing
 * brickml computes, and written at that value.
 */
import type { CompileArgs } from '../../engine/compile.js';
import type { Model } from '../../model.js';
import { toSnakeCase } from './weights-layout.js';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Keras' optimizer fields and the one value brickml's update matches (undefined: any value). */
const OPTIMIZER_NEUTRAL: Record<string, unknown> = {
  name: undefined,
  use_ema: false,
  ema_momentum: undefined,
  ema_overwrite_frequency: undefined,
  loss_scale_factor: null,
  gradient_accumulation_steps: null,
};
/** Keras keys whose camelCase is not brickml's. */
const OPTIMIZER_KEYS: Record<string, string> = {
  beta_1: 'beta1',
  beta_2: 'beta2',
  clipnorm: 'clipNorm',
  clipvalue: 'clipValue',
  global_clipnorm: 'globalClipNorm',
};
const LOSS_NEUTRAL: Record<string, unknown> = { name: undefined, reduction: 'sum_over_batch_size', axis: -1 };

/** A Keras `{class_name, config}` object's class and config (module, registered_name dropped). */
function objectOf(v: unknown): { className: string; config: Json } | null {
  if (!isRecord(v) || typeof v.class_name !== 'string') return null;
  return { className: v.class_name, config: isRecord(v.config) ? v.config : {} };
}

/** Keras fields → brickml config, or null when a field holds a value brickml cannot honour. */
function translate(config: Json, neutral: Record<string, unknown>, keys: Record<string, string> = {}): Json | null {
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    if (k in neutral) {
      const want = neutral[k];
      if (want !== undefined && v !== want && v !== null) return null;
      continue;
    }
    if (v === null) continue;
    const o = objectOf(v);
    out[keys[k] ?? camel(k)] = o ? { className: o.className, config: translate(o.config, { name: undefined }) } : v;
  }
  return out;
}

/** Keras' optimizer (a name or an object) as brickml's spec; checked by optimizerFromSpec below. */
function optimizerOf(v: unknown): CompileArgs['optimizer'] | null {
  if (typeof v === 'string') return v as never;
  const o = objectOf(v);
  const config = o && translate(o.config, OPTIMIZER_NEUTRAL, OPTIMIZER_KEYS);
  return o && config ? ({ className: o.className, config } as never) : null;
}

function lossOf(v: unknown): CompileArgs['loss'] | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const all = v.map(lossOf);
    return all.every((l) => l !== null) ? (all as never) : null;
  }
  const o = objectOf(v);
  if (!o) {
    if (!isRecord(v)) return null;
    const entries = Object.entries(v).map(([k, l]) => [k, lossOf(l)] as const);
    return entries.every(([, l]) => l !== null) ? (Object.fromEntries(entries) as never) : null;
  }
  const config = translate(o.config, LOSS_NEUTRAL);
  return config ? { className: o.className, config } : null;
}

/**
 * compile's arguments from a Keras 3 compile_config, or null when a setting brickml cannot honour (EMA,
 * loss scaling, weighted metrics) rules it out. Whether brickml has each optimizer, loss and metric named
 * is for compile to say.
 */
export function compileArgsFromKeras(config: unknown): CompileArgs | null {
  if (!isRecord(config) || config.optimizer === undefined || config.loss === undefined || config.loss === null) {
    return null;
  }
  const optimizer = optimizerOf(config.optimizer);
  const loss = lossOf(config.loss);
  if (!optimizer || !loss) return null;
  const args: CompileArgs = { optimizer, loss };
  const weights = config.loss_weights;
  if (Array.isArray(weights) || isRecord(weights)) args.lossWeights = weights as CompileArgs['lossWeights'];
  const metrics = config.metrics;
  if (Array.isArray(metrics)) args.metrics = metrics.flat().filter((m) => m !== null) as CompileArgs['metrics'];
  else if (isRecord(metrics)) args.metrics = metrics as CompileArgs['metrics'];
  if (config.weighted_metrics !== null && config.weighted_metrics !== undefined) return null;
  return args;
}

const kerasObject = (module: string, className: string, config: Json) => ({
  module,
  class_name: className,
  config,
  registered_name: null,
});

/** brickml config → Keras fields: snake_case keys (beta1 → beta_1), schedules as Keras objects. */
function kerasFields(config: Json, keys: Record<string, string> = {}): Json {
  const back = Object.fromEntries(Object.entries(keys).map(([k, v]) => [v, k]));
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    const key = back[k] ?? toSnakeCase(k);
    const o = isRecord(v) && typeof v.className === 'string' ? v : null;
    out[key] = o
      ? kerasObject('keras.optimizers.schedules', o.className as string, kerasFields((o.config as Json) ?? {}))
      : v;
  }
  return out;
}

/** The model's compile_config as Keras 3 writes it; {} for a model that is not compiled. */
export function kerasCompileConfig(model: Model): Json {
  if (!model.isCompiled) return {};
  const opt = model.optimizer.toSpec();
  const optimizer = kerasObject('keras.optimizers', opt.className, {
    name: toSnakeCase(opt.className),
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
      name: toSnakeCase(spec.className),
      reduction: 'sum_over_batch_size',
      ...kerasFields(spec.config),
    });
  };
  const metricName = (m: unknown) => (typeof m === 'string' ? m : isRecord(m) && 'name' in m ? m.name : String(m));
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
        ? first.metricSpecs.map(metricName)
        : Object.fromEntries(outputs.map((o) => [o.name, o.metricSpecs.map(metricName)])),
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };
}
