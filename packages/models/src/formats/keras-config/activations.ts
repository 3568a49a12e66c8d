/**
 * Activation names between brickml and Keras. Keras 2 and tfjs-layers' 'hard_sigmoid' is clip(0.2z + 0.5, 0, 1);
 * Keras 3's is relu6(z + 3)/6, which is brickml's 'hardSigmoid'. The Keras 2 formula is brickml's
 * 'hardSigmoidKeras2', and a file's name is read by the file's flavor.
 */
import { ActivationName } from '@brickml/layers';
import { failField, type KerasFlavor, show } from './errors.js';
import { camel, snake } from './names.js';

/** brickml's name for Keras 2's hard sigmoid (clip(0.2z + 0.5, 0, 1)). */
export const KERAS2_HARD_SIGMOID: ActivationName = 'hardSigmoidKeras2';

/**
 * The activations tfjs-layers 4.22 reads (its activations.ts), by their Keras 2 names; Keras 2 files are
 * written with these only, so tfjs-layers loads every one of them.
 */
const KERAS2_NAMES = new Set([
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'sigmoid',
  'softplus',
  'softsign',
  'tanh',
  'softmax',
  'log_softmax',
  'gelu',
  'mish',
  'swish',
]);

/** A Keras activation name (or null: linear) → brickml's name; `where` names the brick and field. */
export function activationFromKeras(where: string, value: unknown, flavor: KerasFlavor): ActivationName {
  if (value === null || value === undefined) return 'linear';
  if (typeof value !== 'string') return failField(where, `must be an activation name, received ${show(value)}`);
  // tfjs-layers spells some names in camelCase ('hardSigmoid'); Keras in snake_case.
  const name = snake(value);
  if (flavor === 'keras2' && name === 'hard_sigmoid') return KERAS2_HARD_SIGMOID;
  const parsed = ActivationName.safeParse(camel(name));
  // 'hardSigmoidKeras2' is brickml's own name: no Keras file spells it.
  if (!parsed.success || parsed.data === KERAS2_HARD_SIGMOID)
    return failField(where, `must be an activation brickml has, received ${show(value)}`);
  return parsed.data;
}

/** brickml's activation name → the Keras name of that flavor; a named error where the flavor has none. */
export function activationToKeras(where: string, name: string, flavor: KerasFlavor): string {
  if (name === KERAS2_HARD_SIGMOID) {
    if (flavor === 'keras2') return 'hard_sigmoid';
    return failField(where, `'${name}' (clip(0.2x + 0.5, 0, 1)) has no Keras 3 name`);
  }
  const keras = snake(camel(name));
  if (flavor === 'keras3') return keras;
  if (keras === 'hard_sigmoid') {
    return failField(
      where,
      `'hardSigmoid' (Keras 3's relu6(x + 3)/6) has no Keras 2 name: Keras 2's 'hard_sigmoid' is clip(0.2x + 0.5, 0, 1)`,
    );
  }
  if (keras === 'silu') return 'swish';
  if (!KERAS2_NAMES.has(keras)) {
    return failField(
      where,
      `'${name}' is not an activation of Keras 2 / tfjs-layers (${[...KERAS2_NAMES].join(', ')})`,
    );
  }
  return keras;
}
