import { assertBatchShape, BrickError, parseConfig, type Shape } from '@brickml/core';
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Regularizer } from './regularizers.js';

export interface ForwardOptions {
  training: boolean;
}

export type Params = Record<string, tf.Variable>;
export type Grads<P extends Params> = { [K in keyof P]: tf.Tensor };

/** `{ className, config }`: how every brick is written down in JSON. */
export interface BrickSpec {
  className: string;
  config: Record<string, unknown>;
}

/**
 * The brick contract. `forward` returns what `backward` needs in `cache`; the brick keeps nothing per
 * call. Non-trainable state (BatchNorm's moving statistics) lives in `state`, updated in training.
 */
export interface Layer<Config = unknown, P extends Params = Params, Cache = unknown> {
  readonly className: string;
  readonly name: string;
  readonly config: Config;
  /** Trainable variables, empty until build(). */
  readonly params: P;
  /** Non-trainable variables saved with the weights. */
  readonly state: Params;
  readonly built: boolean;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  build(inputShape: Shape): Shape;
  forward(x: tf.Tensor, opts: ForwardOptions): { y: tf.Tensor; cache: Cache };
  backward(dy: tf.Tensor, cache: Cache): { dx: tf.Tensor; grads: Grads<P> };
  /**
   * Optional: the parameter gradients of `backward` without dx, for the first brick of a model, whose
   * input gradient nobody reads. Bricks whose dx costs real work (Dense) provide it.
   */
  paramGrads?(dy: tf.Tensor, cache: Cache): Grads<P>;
  /** Regularizers that add to the loss, keyed by parameter name. */
  regularizers(): Partial<Record<keyof P & string, Regularizer>>;
  toSpec(): BrickSpec;
  dispose(): void;
}

/** Fields every brick's config accepts. */
export const baseConfig = {
  /** Unique name in a model. Default: the class name in snake case with a counter (`dense_1`). */
  name: z.string().min(1).optional(),
};

const counters = new Map<string, number>();

function autoName(className: string): string {
  const snake = className
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
  const n = (counters.get(snake) ?? 0) + 1;
  counters.set(snake, n);
  return `${snake}_${n}`;
}

/**
 * Shared plumbing for bricks: config validation with named errors, naming, build bookkeeping and
 * shape checks. Subclasses state `setup` (create params, return the output shape), `forward` and `backward`.
 */
export abstract class BaseLayer<
  S extends z.ZodType<{ name?: string | undefined }>,
  P extends Params = Params,
  Cache = unknown,
> implements Layer<z.output<S>, P, Cache>
{
  readonly name: string;
  readonly config: z.output<S>;
  params = {} as P;
  state: Params = {};
  built = false;
  private shapes: { input: Shape; output: Shape } | null = null;

  constructor(
    readonly className: string,
    schema: S,
    raw: z.input<S> | undefined,
  ) {
    const given = (raw as { name?: unknown } | undefined)?.name;
    const label = typeof given === 'string' ? `${className} '${given}'` : className;
    const parsed = parseConfig(label, schema, raw ?? {});
    this.name = parsed.name ?? autoName(className);
    this.config = { ...parsed, name: this.name };
  }

  /** "Dense 'dense_1'": how errors name this brick. */
  get label(): string {
    return `${this.className} '${this.name}'`;
  }

  get inputShape(): Shape {
    if (!this.shapes) throw new BrickError(`${this.label} is not built yet`, this.label);
    return this.shapes.input;
  }

  get outputShape(): Shape {
    if (!this.shapes) throw new BrickError(`${this.label} is not built yet`, this.label);
    return this.shapes.output;
  }

  build(inputShape: Shape): Shape {
    if (this.shapes) {
      const same =
        this.shapes.input.length === inputShape.length && this.shapes.input.every((d, i) => d === inputShape[i]);
      if (!same) {
        throw new BrickError(
          `${this.label}: already built for input [${this.shapes.input.join(', ')}], cannot rebuild for [${inputShape.join(', ')}]`,
          this.label,
        );
      }
      return this.shapes.output;
    }
    const output = this.setup([...inputShape]);
    this.shapes = { input: [...inputShape], output };
    this.built = true;
    return output;
  }

  /** Creates the parameters for this input shape and returns the output shape (no batch axis). */
  protected abstract setup(inputShape: Shape): Shape;

  abstract forward(x: tf.Tensor, opts: ForwardOptions): { y: tf.Tensor; cache: Cache };
  abstract backward(dy: tf.Tensor, cache: Cache): { dx: tf.Tensor; grads: Grads<P> };

  regularizers(): Partial<Record<keyof P & string, Regularizer>> {
    return {};
  }

  /** Throws a named error unless x is [batch, ...inputShape]; builds on first use. */
  protected checkInput(x: tf.Tensor): void {
    if (!this.shapes) this.build(x.shape.slice(1));
    assertBatchShape(this.label, 'input', this.inputShape, x.shape);
  }

  /** Throws a named error unless dy is [batch, ...outputShape]. */
  protected checkGrad(dy: tf.Tensor): void {
    assertBatchShape(this.label, 'upstream gradient dy', this.outputShape, dy.shape);
  }

  toSpec(): BrickSpec {
    return { className: this.className, config: JSON.parse(JSON.stringify(this.config)) };
  }

  dispose(): void {
    for (const v of [...Object.values(this.params), ...Object.values(this.state)]) v.dispose();
  }
}
