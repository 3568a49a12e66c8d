import { BrickError, formatShape, parseConfig, type Shape } from '@brickml/core';
import { type Brick, isMultiInput, type Layer, layerFromSpec } from '@brickml/layers';
import type * as tf from '@tensorflow/tfjs-core';
import type { DataLike } from './data.js';
import { ChainExecutor } from './engine/chain.js';
import { CHAIN, type ChainArgs, Model } from './model.js';
import { SequentialSpec } from './spec.js';
import { summaryText } from './summary.js';

export type { CompileArgs } from './engine/compile.js';

export interface SequentialArgs {
  /** Shape of one example, no batch axis. Default: taken from the first data seen. */
  inputShape?: Shape;
  /** The bricks, first to last. Default: none (add them with add()). */
  layers?: Layer[];
  /** The model's name. Default: 'sequential_N'. */
  name?: string;
}

let modelCounter = 0;
const sameShape = (a: Shape, b: Shape) => a.length === b.length && a.every((d, i) => d === b[i]);
const brickLabel = (layer: Layer) => `${layer.className} '${layer.name}'`;

/**
 * A stack of bricks, each feeding the next: built in order (a static shape pass), compiled with a loss
 * and an optimizer, trained with fit. Everything but `add` and the stack itself comes from Model.
 *
 * @example
 * const model = new Sequential({ inputShape: [2], layers: [new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })] });
 * model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
 * const history = await model.fit(x, y, { epochs: 100, verbose: 0 });
 */
export class Sequential extends Model {
  /** The bricks and the input shape, shared with the chain executor that runs them. */
  private readonly stack: { layers: Layer[]; shape: Shape | null };

  constructor(args: SequentialArgs = {}) {
    const stack = { layers: [] as Layer[], shape: args.inputShape ? [...args.inputShape] : null };
    const chain: ChainArgs = {
      [CHAIN]: new ChainExecutor(stack.layers, () => stack.shape),
      name: args.name ?? `sequential_${++modelCounter}`,
    };
    super(chain);
    this.stack = stack;
    if (this.shape && !this.shape.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
      throw new BrickError(
        `${this.label}: inputShape must be positive integers (or null for a free axis), received ${formatShape(this.shape)}`,
        this.label,
      );
    }
    for (const layer of args.layers ?? []) this.add(layer);
  }

  override get className(): string {
    return 'Sequential';
  }

  /** The bricks, first to last. */
  override get layers(): Layer[] {
    return this.stack.layers;
  }

  private get shape(): Shape | null {
    return this.stack.shape;
  }

  private set shape(shape: Shape | null) {
    this.stack.shape = shape;
  }

  override get inputNames(): string[] {
    return [`${this.name}_input`];
  }

  override get outputNames(): string[] {
    return [this.layers[this.layers.length - 1]?.name ?? `${this.name}_output`];
  }

  /** Shape of one input example, or null until known. */
  get inputShape(): Shape | null {
    return this.shape;
  }

  override get built(): boolean {
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
    if (isMultiInput(layer as Brick)) {
      throw new BrickError(
        `${this.label}: ${brickLabel(layer)} takes several inputs; wire it in a functional Model`,
        this.label,
      );
    }
    if (!this.shape && this.layers.length === 0 && layer.built) this.shape = [...layer.inputShape];
    if (this.shape) this.buildLayer(this.layers.length, this.layers.length ? this.outputShape : this.shape, layer);
    this.layers.push(layer);
    return this;
  }

  override ensureBuilt(inputShapes: readonly Shape[]): void {
    if (!this.built) this.build(this.shape ?? (inputShapes[0] as Shape));
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
      const output = layer.build(input);
      if (layer.extraOutputShapes?.length) {
        throw new BrickError(
          `${this.label}: ${brickLabel(layer)} has several outputs (returnState); wire it in a functional Model`,
          this.label,
        );
      }
      return output;
    } catch (e) {
      if (e instanceof BrickError && e.where === this.label) throw e;
      if (!(e instanceof BrickError)) throw e;
      throw new BrickError(
        `${where} cannot take ${formatShape([null, ...input])} from ${from}: ${e.message}`,
        this.label,
      );
    }
  }

  override activationShapes(): Shape[] {
    return [this.shape ?? [], ...this.layers.map((l) => l.outputShape)];
  }

  /** Prints (and returns) Keras' summary table. */
  override summary(print: (text: string) => void = console.log): string {
    const text = summaryText(this.name, this.layers);
    print(text);
    return text;
  }

  /** The JSON spec (architecture only; weights travel apart). */
  override toSpec(): SequentialSpec {
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
      // A brick of several inputs is refused by add(), by name.
      layers: layers.map((l) => layerFromSpec(l) as Layer),
    });
  }

  /** The model's output for x, computed in batches. The caller owns the tensor. */
  override predict(x: DataLike, options: { batchSize?: number } = {}): tf.Tensor {
    return super.predict(x, options) as tf.Tensor;
  }
}
