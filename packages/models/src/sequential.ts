import { BrickError, formatShape, parseConfig, type Shape, sizeOf } from '@brickml/core';
import { type Layer, layerFromSpec } from '@brickml/layers';
import { type Loss, type LossSpecObject, lossFromSpec } from '@brickml/losses';
import { type Optimizer, type OptimizerSpec, optimizerFromSpec } from '@brickml/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import type { DataLike } from './data.js';
import { type MetricSpec, metricFromSpec } from './metrics/index.js';
import type { EvaluateOptions, FitOptions } from './options.js';
import { SequentialSpec } from './spec.js';
import { summaryText } from './summary.js';
import { evaluate, fit, predict, trainOnBatch } from './training.js';
import type { Logs, Metric, TrainingModel } from './types.js';

export interface SequentialArgs {
  /** Shape of one example, no batch axis. Default: taken from the first data seen. */
  inputShape?: Shape;
  /** The bricks, first to last. Default: none (add them with add()). */
  layers?: Layer[];
  /** The model's name. Default: 'sequential_N'. */
  name?: string;
}

export interface CompileArgs {
  /** An Optimizer, a Keras name ('adam') or `{ className, config }`. */
  optimizer: Optimizer | OptimizerSpec;
  /** A Loss, a Keras name ('categoricalCrossentropy') or `{ className, config }`. */
  loss: Loss | string | LossSpecObject;
  /** Metrics logged beside the loss: instances, names ('accuracy') or `{ className, config }`. Default: none. */
  metrics?: MetricSpec[];
}

let modelCounter = 0;
const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);
const brickLabel = (layer: Layer) => `${layer.className} '${layer.name}'`;

/**
 * A stack of bricks, each feeding the next: built in order (a static shape pass), compiled with a loss
 * and an optimizer, trained with fit.
 *
 * @example
 * const model = new Sequential({ inputShape: [2], layers: [new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })] });
 * model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
 * const history = await model.fit(x, y, { epochs: 100, verbose: 0 });
 */
export class Sequential implements TrainingModel {
  readonly name: string;
  readonly layers: Layer[] = [];
  stopTraining = false;
  private shape: Shape | null;
  private compiled: {
    loss: Loss;
    optimizer: Optimizer;
    ownsOptimizer: boolean;
    metricSpecs: MetricSpec[];
    metrics: Metric[] | null;
  } | null = null;

  constructor(args: SequentialArgs = {}) {
    this.name = args.name ?? `sequential_${++modelCounter}`;
    this.shape = args.inputShape ? [...args.inputShape] : null;
    if (this.shape && !this.shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new BrickError(
        `${this.label}: inputShape must be positive integers, received ${formatShape(this.shape)}`,
        this.label,
      );
    }
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** "Sequential 'name'": how errors name this model. */
  get label(): string {
    return `Sequential '${this.name}'`;
  }

  /** Shape of one input example, or null until known. */
  get inputShape(): Shape | null {
    return this.shape;
  }

  get built(): boolean {
    return this.shape !== null && this.layers.every((l) => l.built);
  }

  /** Shape of one output example (the model must be built). */
  get outputShape(): Shape {
    if (!this.shape)
      throw new BrickError(`${this.label} is not built yet: give inputShape or call build()`, this.label);
    const last = this.layers[this.layers.length - 1];
    return last ? last.outputShape : this.shape;
  }

  /** Appends a brick, building it at once when the input shape is known. */
  add(layer: Layer): this {
    if (this.layers.some((l) => l.name === layer.name)) {
      throw new BrickError(
        `${this.label}: layer names must be unique, '${layer.name}' is already in the model`,
        this.label,
      );
    }
    if (!this.shape && this.layers.length === 0 && layer.built) this.shape = [...layer.inputShape];
    if (this.shape) this.buildLayer(this.layers.length, this.layers.length ? this.outputShape : this.shape, layer);
    this.layers.push(layer);
    return this;
  }

  /** Builds every brick in order for examples of `inputShape`; returns the output shape. */
  build(inputShape: Shape): Shape {
    if (this.shape && !sameShape(this.shape, inputShape)) {
      throw new BrickError(
        `${this.label}: built for input ${formatShape([null, ...this.shape])}, received ${formatShape([null, ...inputShape])}`,
        this.label,
      );
    }
    this.shape = [...inputShape];
    let shape: Shape = this.shape;
    this.layers.forEach((layer, i) => {
      shape = this.buildLayer(i, shape, layer);
    });
    return shape;
  }

  private buildLayer(index: number, input: Shape, layer: Layer): Shape {
    const from = index === 0 ? 'the model input' : brickLabel(this.layers[index - 1] as Layer);
    const where = `${this.label}: layer ${index} ${brickLabel(layer)}`;
    if (layer.built && !sameShape(layer.inputShape, input)) {
      throw new BrickError(
        `${where} expects input ${formatShape([null, ...layer.inputShape])}, but ${from} gives ${formatShape([null, ...input])}`,
        this.label,
      );
    }
    try {
      return layer.build(input);
    } catch (e) {
      if (!(e instanceof BrickError)) throw e;
      throw new BrickError(
        `${where} cannot take ${formatShape([null, ...input])} from ${from}: ${e.message}`,
        this.label,
      );
    }
  }

  /** Sets the loss, the optimizer and the metrics fit, evaluate and trainOnBatch use. */
  compile({ optimizer, loss, metrics = [] }: CompileArgs): void {
    const resolvedLoss = lossFromSpec(loss);
    const resolvedOptimizer = optimizerFromSpec(optimizer);
    for (const m of this.compiled?.metrics ?? []) m.dispose();
    // An optimizer this model built from a name or spec is its own to dispose; one passed in is the caller's.
    if (this.compiled?.ownsOptimizer && this.compiled.optimizer !== resolvedOptimizer)
      this.compiled.optimizer.dispose();
    this.compiled = {
      loss: resolvedLoss,
      optimizer: resolvedOptimizer,
      ownsOptimizer: resolvedOptimizer !== optimizer,
      metricSpecs: metrics,
      metrics: null,
    };
    if (this.built) void this.metrics;
  }

  private need(who: string) {
    if (!this.compiled) {
      throw new BrickError(
        `${this.label}.${who}: compile the model first (model.compile({ optimizer, loss }))`,
        this.label,
      );
    }
    return this.compiled;
  }

  get loss(): Loss {
    return this.need('loss').loss;
  }

  get optimizer(): Optimizer {
    return this.need('optimizer').optimizer;
  }

  /** The compiled metrics, made on first use ('accuracy' needs the output width to pick its kind). */
  get metrics(): Metric[] {
    const c = this.need('metrics');
    if (!c.metrics) {
      const units = this.built ? this.outputShape[this.outputShape.length - 1] : undefined;
      c.metrics = c.metricSpecs.map((m) => metricFromSpec(m, c.loss.className, units));
    }
    return c.metrics;
  }

  /** Throws a named error unless compile ran. */
  requireCompiled(who: string): void {
    this.need(who);
  }

  private variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [...Object.values(l.params), ...Object.values(l.state)]);
  }

  /** Copies of every weight: each brick's params then its state, brick by brick. The caller owns them. */
  getWeights(): tf.Tensor[] {
    return this.variables().map((v) => tf.clone(v));
  }

  /** Assigns the given tensors (in getWeights' order) to the weights, checking count and shapes. */
  setWeights(weights: tf.Tensor[]): void {
    const vars = this.variables();
    if (weights.length !== vars.length) {
      throw new BrickError(
        `${this.label}.setWeights: expected ${vars.length} tensors, received ${weights.length}`,
        this.label,
      );
    }
    vars.forEach((v, i) => {
      const w = weights[i] as tf.Tensor;
      if (!sameShape(v.shape, w.shape)) {
        throw new BrickError(
          `${this.label}.setWeights: weight ${i} ('${v.name}') must have shape ${formatShape(v.shape)}, received ${formatShape(w.shape)}`,
          this.label,
        );
      }
    });
    tf.tidy(() => {
      vars.forEach((v, i) => {
        v.assign(tf.cast(weights[i] as tf.Tensor, v.dtype));
      });
    });
  }

  /** Number of scalars in every weight, params and state. */
  countParams(): number {
    return this.variables().reduce((n, v) => n + sizeOf(v.shape), 0);
  }

  /** Prints (and returns) Keras' summary table. */
  summary(print: (text: string) => void = console.log): string {
    const text = summaryText(this.name, this.layers);
    print(text);
    return text;
  }

  /** The JSON spec (architecture only; weights travel apart). */
  toSpec(): SequentialSpec {
    return {
      format: 'brickml.model',
      version: 1,
      className: 'Sequential',
      config: {
        name: this.name,
        ...(this.shape && { inputShape: [...this.shape] }),
        layers: this.layers.map((l) => l.toSpec()) as SequentialSpec['config']['layers'],
      },
    };
  }

  /** Builds a model from its JSON spec, validated first (errors carry the path, `config.layers[3].config.units`). */
  static fromSpec(json: unknown): Sequential {
    const spec = parseConfig('Sequential.fromSpec', SequentialSpec, json);
    const { name, inputShape, layers } = spec.config;
    return new Sequential({
      ...(name && { name }),
      ...(inputShape && { inputShape }),
      layers: layers.map((l) => layerFromSpec(l)),
    });
  }

  /** Trains for `epochs` passes over (x, y); resolves to the History. */
  fit(x: DataLike, y: DataLike, options: FitOptions = {}) {
    return fit(this, x, y, options);
  }

  /** Loss and metrics over (x, y) in inference mode. */
  evaluate(x: DataLike, y: DataLike, options: EvaluateOptions = {}): Promise<Logs> {
    return evaluate(this, x, y, options);
  }

  /** The model's outputs for x, computed in batches. The caller owns the tensor. */
  predict(x: DataLike, options: { batchSize?: number } = {}): tf.Tensor {
    return predict(this, x, options);
  }

  /** One training step on one batch; resolves to its loss and metrics. */
  trainOnBatch(x: DataLike, y: DataLike): Promise<Logs> {
    return trainOnBatch(this, x, y);
  }

  /** Frees every weight, the optimizer's slots and the metrics' accumulators. */
  dispose(): void {
    for (const l of this.layers) l.dispose();
    if (this.compiled) {
      if (this.compiled.ownsOptimizer) this.compiled.optimizer.dispose();
      for (const m of this.compiled.metrics ?? []) m.dispose();
    }
  }
}
