/**
 * Keras training configs → brickml's compile arguments, one translator for both flavors: Keras 2's
 * training_config (what the TensorFlow.js converter copies into model.json) and tfjs-layers' trainingConfig
 * ('keras2'), and Keras 3's compile_config ('keras3'). Keras 2 writes optimizer settings in snake_case
 * (learning_rate or lr, beta_1), tfjs-layers in camelCase (learningRate, beta1) with its own class names
 * (RMSProp, whose decay is rho; Momentum, SGD with momentum), Keras 3 in snake_case. Fields that change
 * nothing brickml computes are read at the one value brickml matches; a setting brickml cannot honour (a
 * legacy learning-rate decay, EMA, loss scaling, weighted metrics) is a reason the model loads uncompiled.
 */
import type { LossSpec } from '@brickml/losses';
import type { CompileArgs } from '../../engine/compile.js';
import type { KerasFlavor } from './errors.js';
import { camel, isRecord } from './names.js';

type Json = Record<string, unknown>;

/** A translation, or why there is none (a sentence naming the setting brickml lacks). */
export type Translation<T> = { value: T } | { why: string };

/** Keras 3's optimizer classes (module keras.optimizers), by brickml's class: each one's default `name`. */
export const KERAS3_OPTIMIZERS: Readonly<Record<string, string>> = {
  SGD: 'SGD',
  RMSprop: 'rmsprop',
  Adam: 'adam',
  AdamW: 'adamw',
  Adagrad: 'adagrad',
  Adadelta: 'adadelta',
  Adamax: 'adamax',
  Nadam: 'nadam',
  Lion: 'lion',
};

/** What differs between the flavors' files. */
interface Dialect {
  /** The file's optimizer class → brickml's. */
  optimizers: Readonly<Record<string, string>>;
  /** Loss reductions that mean brickml's mean over the batch. */
  reductions: readonly unknown[];
}

const DIALECTS: Record<KerasFlavor, Dialect> = {
  keras2: {
    optimizers: {
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
    },
    reductions: ['auto', 'sum_over_batch_size'],
  },
  keras3: {
    optimizers: Object.fromEntries(Object.keys(KERAS3_OPTIMIZERS).map((c) => [c, c])),
    reductions: ['sum_over_batch_size'],
  },
};

/** Optimizer keys (after camelCase) whose brickml name differs, in every flavor. */
const OPTIMIZER_RENAMES: Readonly<Record<string, string>> = {
  lr: 'learningRate',
  useNesterov: 'nesterov',
  clipnorm: 'clipNorm',
  clipvalue: 'clipValue',
  globalClipnorm: 'globalClipNorm',
};

/** Fields (after camelCase) that change nothing brickml computes at the value given (undefined: any value). */
const OPTIMIZER_NEUTRAL: Record<string, unknown> = {
  name: undefined,
  jitCompile: undefined,
  isLegacyOptimizer: undefined,
  useEma: false,
  emaMomentum: undefined,
  emaOverwriteFrequency: undefined,
  lossScaleFactor: null,
  gradientAccumulationSteps: null,
};
const LOSS_NEUTRAL: Record<string, unknown> = { name: undefined, axis: -1 };
const METRIC_NEUTRAL: Record<string, unknown> = { dtype: 'float32' };
const SCHEDULE_NEUTRAL: Record<string, unknown> = { name: undefined };

/** A Keras `{class_name, config}` object's class and config (module, registered_name dropped). */
function objectOf(v: unknown): { className: string; config: Json } | null {
  if (!isRecord(v) || typeof v.class_name !== 'string') return null;
  return { className: v.class_name, config: isRecord(v.config) ? v.config : {} };
}

/**
 * Keras fields → brickml config (camelCase, renamed), nested objects (a learning-rate schedule) translated
 * too; why not, when a field holds a value brickml cannot honour.
 */
function fields(
  what: string,
  config: Json,
  neutral: Record<string, unknown>,
  renames: Readonly<Record<string, string>> = {},
): Translation<Json> {
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    const key = camel(k);
    if (key in neutral) {
      const want = neutral[key];
      if (want !== undefined && v !== want && v !== null) {
        return { why: `${what} sets ${k} to ${JSON.stringify(v)}, which brickml has only at ${JSON.stringify(want)}` };
      }
      continue;
    }
    if (v === null) continue;
    const o = objectOf(v);
    if (o) {
      const inner = fields(`${what}'s ${k} ${o.className}`, o.config, SCHEDULE_NEUTRAL);
      if ('why' in inner) return inner;
      out[renames[key] ?? key] = { className: o.className, config: inner.value };
    } else out[renames[key] ?? key] = v;
  }
  return { value: out };
}

function optimizerOf(v: unknown, dialect: Dialect): Translation<CompileArgs['optimizer']> {
  if (typeof v === 'string') return { value: v as CompileArgs['optimizer'] };
  const o = objectOf(v);
  if (!o) return { why: `its optimizer must be a Keras object {class_name, config}, received ${JSON.stringify(v)}` };
  const className = dialect.optimizers[o.className];
  if (!className) return { why: `brickml has no optimizer '${o.className}'` };
  const what = `optimizer '${o.className}'`;
  const config = { ...o.config };
  // tfjs' RMSProp calls rho decay; elsewhere decay is Keras 2's legacy learning-rate decay, honoured at 0.
  if ('decay' in config) {
    const decay = config.decay;
    delete config.decay;
    if (o.className === 'RMSProp') config.rho = decay;
    else if (decay !== 0 && decay !== null)
      return { why: `${what} sets the legacy decay ${decay}, which brickml lacks` };
  }
  const out = fields(what, config, OPTIMIZER_NEUTRAL, OPTIMIZER_RENAMES);
  return 'why' in out ? out : { value: { className, config: out.value } as CompileArgs['optimizer'] };
}

function lossOf(v: unknown, dialect: Dialect): Translation<CompileArgs['loss']> {
  // A name or class read from the file: compile checks it against the loss table at run time.
  if (typeof v === 'string') return { value: v as LossSpec };
  if (Array.isArray(v) || (isRecord(v) && typeof v.class_name !== 'string')) {
    const entries = Object.entries(v as Json).map(([k, l]) => [k, lossOf(l, dialect)] as const);
    const refused = entries.find(([, l]) => 'why' in l)?.[1];
    if (refused) return refused;
    const values = entries.map(([k, l]) => [k, (l as { value: unknown }).value] as const);
    return { value: (Array.isArray(v) ? values.map(([, l]) => l) : Object.fromEntries(values)) as CompileArgs['loss'] };
  }
  const o = objectOf(v);
  if (!o) return { why: `its loss must be a name or a Keras object, received ${JSON.stringify(v)}` };
  const { reduction, ...rest } = o.config;
  if (reduction !== undefined && reduction !== null && !dialect.reductions.includes(reduction)) {
    return { why: `loss '${o.className}' sets reduction ${JSON.stringify(reduction)}, which brickml lacks` };
  }
  const config = fields(`loss '${o.className}'`, rest, LOSS_NEUTRAL);
  return 'why' in config ? config : { value: { className: o.className, config: config.value } as LossSpec };
}

/** One metric: a name, or a Keras metric object as brickml's `{ className, config }`. */
function metricOf(v: unknown): Translation<unknown> {
  // A name or class read from the file: compile checks it against the loss table at run time.
  if (typeof v === 'string') return { value: v as LossSpec };
  const o = objectOf(v);
  if (!o) return { why: `a metric must be a name or a Keras object, received ${JSON.stringify(v)}` };
  const config = fields(`metric '${o.className}'`, o.config, METRIC_NEUTRAL);
  return 'why' in config ? config : { value: { className: o.className, config: config.value } as LossSpec };
}

function metricsOf(v: unknown): Translation<CompileArgs['metrics']> {
  if (v === null || v === undefined) return { value: undefined };
  const list = (l: unknown): Translation<unknown[]> => {
    const all = (Array.isArray(l) ? l.flat() : [l]).filter((m) => m !== null).map(metricOf);
    const refused = all.find((m) => 'why' in m);
    return refused && 'why' in refused ? refused : { value: all.map((m) => (m as { value: unknown }).value) };
  };
  if (!isRecord(v)) {
    const out = list(v);
    return 'why' in out ? out : { value: out.value as CompileArgs['metrics'] };
  }
  const entries = Object.entries(v).map(([k, l]) => [k, list(l)] as const);
  const refused = entries.find(([, l]) => 'why' in l)?.[1];
  if (refused && 'why' in refused) return refused;
  const values = entries.map(([k, l]) => [k, (l as { value: unknown[] }).value]);
  return { value: Object.fromEntries(values) as CompileArgs['metrics'] };
}

/**
 * compile's arguments from a training config of that flavor; null when the file holds none, why not when a
 * setting brickml cannot honour rules it out. Whether brickml has each loss and metric named is for
 * compile to say.
 */
export function compileArgsFromKeras(config: unknown, flavor: KerasFlavor): Translation<CompileArgs> | null {
  if (!isRecord(config) || Object.keys(config).length === 0) return null;
  if (config.loss === undefined || config.loss === null) return { why: 'its training config names no loss' };
  const dialect = DIALECTS[flavor];
  const optimizer = optimizerOf(config.optimizer_config ?? config.optimizer, dialect);
  if ('why' in optimizer) return optimizer;
  const loss = lossOf(config.loss, dialect);
  if ('why' in loss) return loss;
  if (config.sample_weight_mode != null) return { why: 'its training config sets sample_weight_mode' };
  const weighted = config.weighted_metrics;
  if (weighted != null && !(Array.isArray(weighted) && weighted.length === 0)) {
    return { why: 'its training config has weighted metrics, which brickml lacks' };
  }
  const metrics = metricsOf(config.metrics);
  if ('why' in metrics) return metrics;
  const args: CompileArgs = { optimizer: optimizer.value, loss: loss.value };
  const weights = config.loss_weights;
  if (Array.isArray(weights) || isRecord(weights)) args.lossWeights = weights as CompileArgs['lossWeights'];
  if (metrics.value !== undefined) args.metrics = metrics.value;
  return { value: args };
}
