import { configObject, positiveInt } from '@brickml/core';
import { LayerSpec } from '@brickml/layers';
import { z } from 'zod';

/** The JSON form of a Sequential model (weights travel apart). */
export const SequentialSpec = configObject({
  /** Always 'brickml.model'. */
  format: z.literal('brickml.model'),
  /** Spec format version. Always 1. */
  version: z.literal(1),
  /** Always 'Sequential'. */
  className: z.literal('Sequential'),
  config: configObject({
    /** The model's name. Default: 'sequential_N'. */
    name: z.string().min(1).optional(),
    /** Shape of one example, no batch axis (null for a free axis). Default: taken from the first data seen. */
    inputShape: z.array(positiveInt().nullable()).optional(),
    /** The bricks, first to last. */
    layers: z.array(LayerSpec),
  }),
});
export type SequentialSpec = z.input<typeof SequentialSpec>;

/**
 * A tensor of a functional model, by the name of what produces it: `"dense_1"` (its first call's output),
 * or `["dense_1", call, output]` for a later call of a shared brick or another output of a nested model.
 */
export const TensorRef = z.union([
  z.string().min(1),
  z.tuple([z.string().min(1), z.int().nonnegative(), z.int().nonnegative()]),
]);
export type TensorRef = z.infer<typeof TensorRef>;

/** One input of a functional model, as `input()` takes it. */
export const InputSpec = configObject({
  /** The input's name, unique in the model. */
  name: z.string().min(1),
  /** Shape of one example, no batch axis; null for a free axis (a sequence's time). */
  shape: z.array(positiveInt().nullable()),
  /** Element type of the data. Default: 'float32'. */
  dtype: z.enum(['float32', 'int32']).default('float32'),
});

/**
 * One brick of a functional model (or a nested model, className 'Sequential' or 'Functional'), with the
 * tensors each of its calls reads: `inbound[k]` lists the inputs of call k.
 */
export const GraphLayerSpec = configObject({
  /** A brick's class name (`Dense`), or `Sequential` / `Functional` for a nested model. */
  className: z.string().min(1),
  /** The brick's config, or the nested model's config. */
  config: z.record(z.string(), z.unknown()),
  /** The inputs of each call, in call order: one tensor, or several for a brick of several inputs. */
  inbound: z.array(z.array(TensorRef).min(1)).min(1),
});
export type GraphLayerSpec = z.input<typeof GraphLayerSpec>;

/** The JSON form of a functional model: inputs, bricks with their connections, outputs (weights travel apart). */
export const FunctionalSpec = configObject({
  /** Always 'brickml.model'. */
  format: z.literal('brickml.model'),
  /** Spec format version. Always 1. */
  version: z.literal(1),
  /** Always 'Functional'. */
  className: z.literal('Functional'),
  config: configObject({
    /** The model's name. Default: 'functional_N'. */
    name: z.string().min(1).optional(),
    /** The model's inputs, in order. */
    inputs: z.array(InputSpec).min(1),
    /** The bricks, each with the tensors each of its calls reads. */
    layers: z.array(GraphLayerSpec),
    /** The tensors the model returns, in order. */
    outputs: z.array(TensorRef).min(1),
  }),
});
export type FunctionalSpec = z.input<typeof FunctionalSpec>;

/** Either kind of model spec. */
export const ModelSpec = z.discriminatedUnion('className', [SequentialSpec, FunctionalSpec]);
export type ModelSpec = z.input<typeof ModelSpec>;
