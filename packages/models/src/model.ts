import { BrickError, formatShape, type Shape, sizeOf } from '@brickml/core';
import { type Brick, Node, type SymbolicTensor } from '@brickml/layers';
import type { Loss } from '@brickml/losses';
import { type Optimizer, optimizerFromSpec } from '@brickml/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import type { DataLike } from './data.js';
import { type Dataset, evaluateDataset, type FitDatasetOptions, fitDataset } from './dataset.js';
import { type CompileArgs, type CompiledOutput, makeMetrics, resolveOutputs } from './engine/compile.js';
import { type Executor, isNestedModel, leafBricks, type Member } from './engine/executor.js';
import { type Graph, mapGraph } from './engine/graph.js';
import { GraphExecutor } from './engine/graph-executor.js';
import type { SaveOptions } from './io/artifacts.js';
import type { ModelData } from './model-data.js';
import type { EvaluateOptions, FitOptions } from './options.js';
import { modelToSVG } from './plot.js';
import type { ModelSpec } from './spec.js';
import { functionalSpec } from './spec-graph.js';
import { graphSummaryText } from './summary.js';
import { evaluate, fit, predict, trainOnBatch } from './training.js';
import type { Logs, Metric, TrainingModel } from './types.js';

export interface ModelArgs {
  /** The model's inputs: symbolic tensors from `input()`, one or a list. */
  inputs: SymbolicTensor | SymbolicTensor[];
  /** The tensors the model computes: one or a list, in the order predict returns them. */
  outputs: SymbolicTensor | SymbolicTensor[];
  /** The model's name. Default: 'functional_N'. */
  name?: string;
}

/** How Sequential hands Model its chain of bricks instead of a graph. */
export const CHAIN: unique symbol = Symbol('chain');
export interface ChainArgs {
  [CHAIN]: Executor;
  name: string;
}

interface Compiled {
  optimizer: Optimizer;
  ownsOptimizer: boolean;
  outputs: CompiledOutput[];
  metrics: Metric[][] | null;
}

let functionalCounter = 0;

/**
 * A model: bricks wired from inputs to outputs (the functional API, as Keras' and tfjs-layers'
 * `Model`), compiled with a loss per output and an optimizer, trained with fit. Sequential is the
 * special case of a chain. A model is also a brick: `apply` it inside another model to share its weights.
 *
 * @example
 * const image = input({ shape: [784], name: 'image' });
 * const trunk = new Dense({ units: 64, activation: 'relu' }).apply(image);
 * const digit = new Dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(trunk);
 * const big = new Dense({ units: 1, activation: 'sigmoid', name: 'big' }).apply(trunk);
 * const model = new Model({ inputs: image, outputs: [digit, big] });
 * model.compile({ optimizer: 'adam', loss: { digit: 'categoricalCrossentropy', big: 'binaryCrossentropy' } });
 */
export class Model implements TrainingModel {
  readonly isModel = true as const;
  readonly name: string;
  stopTraining = false;
  readonly executor: Executor;
  /** The graph of a functional model; null for a Sequential. */
  readonly graph: Graph | null;
  private compiled: Compiled | null = null;

  constructor(args: ModelArgs | ChainArgs) {
    if (CHAIN in args) {
      this.name = args.name;
      this.executor = args[CHAIN];
      this.graph = null;
      return;
    }
    this.name = args.name ?? `functional_${++functionalCounter}`;
    const list = <T>(x: T | T[]) => (Array.isArray(x) ? x : [x]);
    this.graph = mapGraph(`Model '${this.name}'`, list(args.inputs), list(args.outputs));
    if (this.graph.members.includes(this as unknown as Member)) {
      throw new BrickError(`${this.label}: a model cannot contain itself`, this.label);
    }
    this.executor = new GraphExecutor(this.graph);
  }

  /** 'Functional' or 'Sequential', as Keras names the two. */
  get className(): string {
    return 'Functional';
  }

  /** "Functional 'name'": how errors name this model. */
  get label(): string {
    return `${this.className} '${this.name}'`;
  }

  /** The input names, in order: the names given to `input()`. */
  get inputNames(): string[] {
    return (this.graph as Graph).inputs.map((t) => t.node.owner.name);
  }

  /** The output names, in order: the producing bricks' names (Keras' output_names), made unique. */
  get outputNames(): string[] {
    const seen = new Map<string, number>();
    return (this.graph as Graph).outputs.map((t) => {
      const base = t.node.outputs.length > 1 ? `${t.node.owner.name}_${t.index}` : t.node.owner.name;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      return n ? `${base}_${n}` : base;
    });
  }

  /** Shape of one example of each input (null while a Sequential has none yet). */
  get inputShapes(): Shape[] | null {
    return this.executor.inputShapes();
  }

  /** Shape of one example of each output. */
  get outputShapes(): Shape[] {
    return this.executor.outputShapes();
  }

  /** The bricks and nested models, in Keras' order (input placeholders left out). */
  get layers(): readonly Member[] {
    return this.executor.members();
  }

  /** The brick or nested model of that name. */
  getLayer(name: string): Member {
    const found = this.layers.find((m) => m.name === name);
    if (!found) {
      const known = this.layers.map((m) => `'${m.name}'`).join(', ');
      throw new BrickError(`${this.label}.getLayer: no layer named '${name}'; the layers are ${known}`, this.label);
    }
    return found;
  }

  /** The shape of every tensor the model computes, inputs included (sizes the largest batch a backend binds). */
  activationShapes(): Shape[] {
    const graph = this.graph as Graph;
    return [
      ...graph.inputs.map((t) => t.shape),
      ...graph.nodes.flatMap((node) =>
        node.owner instanceof Model ? node.owner.activationShapes() : node.outputs.map((t) => t.shape),
      ),
    ];
  }

  /** Builds the bricks for inputs of these shapes when the model has none yet (Sequential); checks them otherwise. */
  ensureBuilt(_inputShapes: readonly Shape[]): void {}

  /**
   * Uses this model as a brick inside another: returns its outputs for the given symbolic inputs. The
   * weights are shared with every other use of the model.
   *
   * @example
   * const encoder = new Sequential({ inputShape: [8], layers: [new Dense({ units: 4 })] });
   * const a = input({ shape: [8] });
   * const b = input({ shape: [8] });
   * const both = new Concatenate().apply([encoder.apply(a), encoder.apply(b)]);
   */
  apply(xs: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor | SymbolicTensor[] {
    const list = Array.isArray(xs) ? (xs as SymbolicTensor[]) : [xs as SymbolicTensor];
    const shapes = this.inputShapes;
    const text = (ss: readonly Shape[]) => ss.map((s) => formatShape([null, ...s])).join(', ');
    if (!shapes) this.ensureBuilt(list.map((t) => t.shape));
    const expected = this.inputShapes as Shape[];
    const fits =
      list.length === expected.length &&
      list.every((t, i) => t.shape.length === expected[i]?.length && t.shape.every((d, j) => d === expected[i]?.[j]));
    if (!fits) {
      const from = list.map((t) => t.producer).join(', ');
      throw new BrickError(
        `${this.label} takes inputs ${text(expected)}, but ${from} give${list.length === 1 ? 's' : ''} ${text(list.map((t) => t.shape))}`,
        this.label,
      );
    }
    const outs = new Node(this, list, this.outputShapes).outputs;
    return outs.length === 1 ? (outs[0] as SymbolicTensor) : [...outs];
  }

  /** Sets the losses, loss weights, metrics and optimizer that fit, evaluate and trainOnBatch use. */
  compile(args: CompileArgs): void {
    const who = `${this.label}.compile`;
    // Resolve everything before replacing the previous compile, so a bad argument changes nothing.
    const outputs = resolveOutputs(who, this.outputNames, args);
    const optimizer = optimizerFromSpec(args.optimizer);
    const ownsOptimizer = optimizer !== args.optimizer;
    let metrics: Metric[][] | null = null;
    try {
      if (this.built) metrics = this.makeOutputMetrics(outputs);
    } catch (e) {
      if (ownsOptimizer) optimizer.dispose();
      throw e;
    }
    this.releaseCompiled(optimizer);
    this.compiled = { optimizer, ownsOptimizer, outputs, metrics };
  }

  /** Each output's metrics ('accuracy' picks its kind from the output's width and the loss). */
  private makeOutputMetrics(outputs: readonly CompiledOutput[]): Metric[][] {
    const shapes = this.outputShapes;
    const made: Metric[][] = [];
    try {
      outputs.forEach((o, i) => {
        const shape = shapes[i] as Shape;
        made.push(makeMetrics(o, shape[shape.length - 1] ?? undefined));
      });
    } catch (e) {
      for (const m of made.flat()) m.dispose();
      throw e;
    }
    return made;
  }

  private releaseCompiled(next?: Optimizer): void {
    if (!this.compiled) return;
    for (const m of this.compiled.metrics?.flat() ?? []) m.dispose();
    // An optimizer this model built from a name or spec is its own to dispose; one passed in is the caller's.
    if (this.compiled.ownsOptimizer && this.compiled.optimizer !== next) this.compiled.optimizer.dispose();
  }

  private need(who: string): Compiled {
    if (!this.compiled) {
      throw new BrickError(
        `${this.label}.${who}: compile the model first (model.compile({ optimizer, loss }))`,
        this.label,
      );
    }
    return this.compiled;
  }

  private busy: string | null = null;

  /**
   * fit, evaluate and trainOnBatch hold the model while they run (they share its metric accumulators and
   * weights); a second one on the same model meanwhile is refused by name. Returns the release.
   */
  hold(who: string, what: string): () => void {
    if (this.busy) {
      throw new BrickError(
        `${who}: the model is running ${this.busy}; await it before calling fit, evaluate or trainOnBatch again`,
        this.label,
      );
    }
    this.busy = what;
    return () => {
      this.busy = null;
    };
  }

  /** True once compile ran. */
  get isCompiled(): boolean {
    return this.compiled !== null;
  }

  /** Throws a named error unless compile ran. */
  requireCompiled(who: string): void {
    this.need(who);
  }

  /** Each output's loss, weight and metric specs, in output order. */
  get compiledOutputs(): CompiledOutput[] {
    return this.need('compiledOutputs').outputs;
  }

  /** The loss of the first output (of the only one, for most models). */
  get loss(): Loss {
    return (this.compiledOutputs[0] as CompiledOutput).loss;
  }

  get optimizer(): Optimizer {
    return this.need('optimizer').optimizer;
  }

  /** Each output's metrics, made on first use ('accuracy' needs the output width to pick its kind). */
  get outputMetrics(): Metric[][] {
    const c = this.need('metrics');
    c.metrics ??= this.makeOutputMetrics(c.outputs);
    return c.metrics;
  }

  /** Every compiled metric, output by output. */
  get metrics(): Metric[] {
    return this.outputMetrics.flat();
  }

  get built(): boolean {
    return this.inputShapes !== null;
  }

  /** Every variable, member by member in Keras' order: each brick's params then its state, each once. */
  private variables(kind: 'all' | 'params' = 'all'): tf.Variable[] {
    const out: tf.Variable[] = [];
    const seen = new Set<tf.Variable>();
    const push = (v: tf.Variable) => {
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    };
    const walk = (members: readonly Member[]) => {
      for (const m of members) {
        if (isNestedModel(m)) walk(m.executor.members());
        else {
          for (const v of Object.values(m.params)) push(v);
          if (kind === 'all') for (const v of Object.values(m.state)) push(v);
        }
      }
    };
    walk(this.layers);
    return out;
  }

  /** The non-trainable variables (BatchNormalization's moving statistics), each once. */
  stateVariables(): tf.Variable[] {
    const params = new Set(this.trainableVariables());
    return this.variables().filter((v) => !params.has(v));
  }

  /** The trainable variables in the order gradients are listed: Keras' weight order without the state. */
  trainableVariables(): tf.Variable[] {
    return this.variables('params');
  }

  /** Every brick inside, nested models opened, each once. */
  bricks(): Brick[] {
    return leafBricks(this.layers);
  }

  /**
   * tfjs-layers' order of the same weights: every trainable weight first (Keras' order), then every
   * non-trainable one (BatchNormalization's moving statistics). `order[i]` is the index in getWeights of the
   * i-th weight tfjs-layers lists, so `order.map((k) => ours[k])` feeds its setWeights.
   */
  tfjsLayersWeightOrder(): number[] {
    const all = this.variables();
    const params = new Set(this.trainableVariables());
    const index = all.map((_, i) => i);
    return [
      ...index.filter((i) => params.has(all[i] as tf.Variable)),
      ...index.filter((i) => !params.has(all[i] as tf.Variable)),
    ];
  }

  /** Copies of every weight in Keras' order (brick by brick; params, then state). The caller owns them. */
  getWeights(): tf.Tensor[] {
    return this.variables().map((v) => tf.clone(v));
  }

  /** Assigns the given tensors (in getWeights' order) to the weights, checking count and shapes first. */
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
      const same = v.shape.length === w.shape.length && v.shape.every((d, j) => d === w.shape[j]);
      if (!same) {
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

  /** Prints (and returns) Keras' summary table, with a "Connected to" column for graphs. */
  summary(print: (text: string) => void = console.log): string {
    const size = (vars: tf.Variable[]) => vars.reduce((n, v) => n + sizeOf(v.shape), 0);
    const text = graphSummaryText(this, (member) => {
      if (member instanceof Model) {
        const params = member.trainableVariables();
        return { trainable: size(params), frozen: member.countParams() - size(params) };
      }
      const brick = member as Brick;
      return { trainable: size(Object.values(brick.params)), frozen: size(Object.values(brick.state)) };
    });
    print(text);
    return text;
  }

  /** The model drawn as Keras' plot_model draws it (shapes shown, top to bottom): an SVG document. */
  toSVG(): string {
    return modelToSVG(this);
  }

  /**
   * Saves the spec, the weights, and (unless includeOptimizer is false) the compile configuration and the
   * optimizer's state, so `loadModel` gives back a model that continues training exactly. `target`: a folder
   * path in Node ('.keras' files too), 'indexeddb://…', 'localstorage://…', 'downloads://…', or a
   * tf.io.IOHandler. A folder save is crash-safe: a kill at any moment leaves the old model or the new one.
   *
   * @example
   * await model.save('./mnist-model');
   * const again = await loadModel('./mnist-model'); // compiled, optimizer state restored
   */
  async save(target: string | tf.io.IOHandler, options?: SaveOptions): Promise<tf.io.SaveResult> {
    // Imported when called: saving reaches model-from-spec, whose Sequential extends this class.
    const { saveModel } = await import('./io/save-load.js');
    return saveModel(this, target, options);
  }

  /** JSON-safe training progress a save carried (`SaveOptions.trainingState`); null otherwise. */
  trainingState: Record<string, unknown> | null = null;

  /** The JSON spec (architecture only; weights travel apart). */
  toSpec(): ModelSpec {
    return functionalSpec(this);
  }

  /** Trains for `epochs` passes over (x, y); resolves to the History. */
  fit(x: ModelData, y: ModelData, options: FitOptions = {}) {
    return fit(this, x, y, options);
  }

  /** Loss and metrics over (x, y) in inference mode. */
  evaluate(x: ModelData, y: ModelData, options: EvaluateOptions = {}): Promise<Logs> {
    return evaluate(this, x, y, options);
  }

  /** The model's outputs for x, computed in batches: a tensor, or a list for several outputs. The caller owns them. */
  predict(x: ModelData, options: { batchSize?: number } = {}): tf.Tensor | tf.Tensor[] {
    const ys = predict(this, x, options);
    return ys.length === 1 ? (ys[0] as tf.Tensor) : ys;
  }

  /**
   * Trains on batches from a dataset (an iterable, a generator function, a tf.data.Dataset) for data that
   * does not fit in memory; resolves to the History. The batches' tensors are disposed after their step.
   *
   * @example
   * await model.fitDataset(() => batches(), { epochs: 5, batchesPerEpoch: 100 });
   */
  fitDataset(dataset: Dataset, options: FitDatasetOptions = {}) {
    return fitDataset(this, dataset, options);
  }

  /** Loss and metrics over every batch of a dataset, in inference mode. */
  evaluateDataset(dataset: Dataset): Promise<Logs> {
    return evaluateDataset(this, dataset);
  }

  /** One training step on one batch; resolves to its loss and metrics. */
  trainOnBatch(x: ModelData, y: ModelData): Promise<Logs> {
    return trainOnBatch(this, x, y);
  }

  /** Frees every weight (nested models' too), the optimizer's slots and the metrics' accumulators. */
  dispose(): void {
    for (const b of this.bricks()) b.dispose();
    this.releaseCompiled();
    this.compiled = null;
  }
}

export type { DataLike };
