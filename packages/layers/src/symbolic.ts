/**
 * Symbolic tensors: the placeholders a functional model is wired with. `input()` makes one; a brick's
 * `apply` on symbolic tensors builds the brick for their shapes and returns its symbolic output. Each call
 * is a `Node` (the brick, the tensors it took, the tensors it gave); a model walks the nodes back from its
 * outputs to find its graph. No tensor memory exists until the model runs.
 */
import { configObject, formatShape, parseConfig, type Shape } from '@brickml/core';
import { z } from 'zod';
import { autoName } from './names.js';

/** Element types a model input may hold. */
export type DType = 'float32' | 'int32';

/** What a node calls: a brick, an input placeholder or a whole model used as a brick. */
export interface NodeOwner {
  readonly className: string;
  readonly name: string;
}

let tensorIds = 0;

/** One call of a brick (or model) on symbolic tensors. */
export class Node {
  readonly outputs: readonly SymbolicTensor[];
  constructor(
    readonly owner: NodeOwner,
    readonly inputs: readonly SymbolicTensor[],
    outputShapes: readonly Shape[],
    dtype: DType = 'float32',
  ) {
    this.outputs = outputShapes.map((shape, i) => new SymbolicTensor([...shape], dtype, this, i));
  }
}

/** A placeholder for the tensor a model will compute: the shape of one example and where it comes from. */
export class SymbolicTensor {
  /** Unique among all symbolic tensors of the process. */
  readonly id = ++tensorIds;
  constructor(
    /** Shape of one example, no batch axis. */
    readonly shape: Shape,
    readonly dtype: DType,
    /** The call that produces it. */
    readonly node: Node,
    /** Which of that call's outputs it is. */
    readonly index: number,
  ) {}

  /** "Dense 'dense_1'" (or "... output 1" for a second output): where errors say it comes from. */
  get producer(): string {
    const { owner } = this.node;
    const label = owner.className === 'InputLayer' ? `input '${owner.name}'` : `${owner.className} '${owner.name}'`;
    return this.node.outputs.length > 1 ? `${label} output ${this.index}` : label;
  }

  toString(): string {
    return `SymbolicTensor ${formatShape([null, ...this.shape])} from ${this.producer}`;
  }
}

export function isSymbolic(x: unknown): x is SymbolicTensor {
  return x instanceof SymbolicTensor;
}

export const InputConfig = configObject({
  /** Shape of one example, no batch axis: [784], [28, 28, 1]; null for a free axis ([null, 8]: any length). */
  shape: z.array(
    z
      .int({ error: 'must be positive integers or null' })
      .positive({ error: 'must be positive integers or null' })
      .nullable(),
  ),
  /** The input's name, unique in a model. Default: 'input_layer_N'. */
  name: z.string().min(1).optional(),
  /** Element type of the data fed to it. Default: 'float32'. */
  dtype: z.enum(['float32', 'int32']).default('float32'),
});
export type InputConfig = z.input<typeof InputConfig>;

/** The placeholder brick behind `input()`: no weights, it only names a model input and its shape. */
export class InputLayer implements NodeOwner {
  readonly className = 'InputLayer';
  readonly output: SymbolicTensor;
  constructor(
    readonly name: string,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {
    this.output = new Node(this, [], [shape], dtype).outputs[0] as SymbolicTensor;
  }
}

/**
 * A model input: returns the symbolic tensor that bricks are applied to, as Keras' `Input`.
 *
 * @example
 * const image = input({ shape: [28, 28, 1], name: 'image' });
 * const features = new Flatten().apply(image); // features.shape: [784]
 */
export function input(config: InputConfig): SymbolicTensor {
  const given = (config as { name?: unknown } | undefined)?.name;
  const { shape, name, dtype } = parseConfig(
    typeof given === 'string' ? `input '${given}'` : 'input',
    InputConfig,
    config,
  );
  return new InputLayer(name ?? autoName('InputLayer'), shape, dtype).output;
}
