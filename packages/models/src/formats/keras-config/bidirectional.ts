/**
 * Keras 3's Bidirectional writes its forward copy as `layer` (named `forward_<name>`) and its backward copy
 * as `backward_layer` (named `backward_<name>`, go_backwards flipped), both with zero_output_for_mask set to
 * return_sequences (keras/src/layers/rnn/bidirectional.py). brickml builds both copies from one template:
 * a backward layer that mirrors the forward one is read as that template; any other is refused by name.
 */
import { failField, show } from './errors.js';
import { isRecord } from './names.js';

type Json = Record<string, unknown>;

const base = (name: unknown, prefix: string) =>
  typeof name === 'string' && name.startsWith(prefix) ? name.slice(prefix.length) : name;

/** The copy's config with what differs between mirrored copies (name, direction, zero_output_for_mask) left out. */
function core(config: Json): Json {
  const { name: _n, go_backwards: _g, zero_output_for_mask: _z, ...rest } = config;
  return rest;
}

/** The Bidirectional config with its template layer as brickml reads it (see the module comment). */
export function bidirectionalTemplate(label: string, config: Json): Json {
  const { backward_layer: backward, ...rest } = config;
  const layer = rest.layer;
  if (!isRecord(layer) || !isRecord(layer.config)) return config;
  const forward = layer.config;
  if (backward !== undefined && backward !== null) {
    const b = isRecord(backward) && isRecord(backward.config) ? backward.config : null;
    const mirrored =
      b !== null &&
      (backward as Json).class_name === layer.class_name &&
      b.go_backwards === !forward.go_backwards &&
      base(b.name, 'backward_') === base(forward.name, 'forward_') &&
      JSON.stringify(core(b)) === JSON.stringify(core(forward));
    if (!mirrored) {
      return failField(
        `${label}: backward_layer`,
        `must mirror layer (brickml builds the backward copy itself), received ${show(backward)}`,
      );
    }
  }
  // Keras forces zero_output_for_mask to return_sequences on both copies; brickml's copies carry the state
  // through masked steps instead, which only the outputs at those (masked) steps show.
  const { zero_output_for_mask: _z, ...inner } = forward;
  return { ...rest, layer: { ...layer, config: { ...inner, name: base(forward.name, 'forward_') } } };
}
