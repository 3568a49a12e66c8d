/**
 * What Keras 2 has and tfjs-layers 4.22 does not: a model holding one of these is refused by name on export,
 * rather than written as a file tfjs-layers cannot load or would compute differently.
 */
import { BrickError } from '@brickml/core';
import { isRecord } from '../keras-config/names.js';

const MISSING_CLASSES = new Set(['Subtract', 'SpatialDropout2D', 'RandomFlip']);

const isUnit = (v: unknown) => v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

/** Why tfjs-layers cannot take one Keras 2 layer `{class_name, config}`, or null. */
function limit(className: string, c: Record<string, unknown>): string | null {
  if (MISSING_CLASSES.has(className)) return 'tfjs-layers 4.22 has no such layer';
  if (className === 'GRU' && c.reset_after === true)
    return 'reset_after must be false (tfjs-layers 4.22 has only that GRU)';
  if (className === 'Conv1D' && c.padding === 'causal')
    return "padding must not be 'causal' (not implemented in tfjs-layers 4.22)";
  if (className === 'Conv2DTranspose' && c.output_padding != null)
    return 'output_padding must be null (tfjs-layers 4.22 has none)';
  if ((className === 'DepthwiseConv2D' || className === 'SeparableConv2D') && !isUnit(c.dilation_rate)) {
    return 'dilation_rate must be 1 (tfjs-layers 4.22 ignores it in depthwise convolutions)';
  }
  return null;
}

/** Throws a named error for the first layer of a Keras 2 model config that tfjs-layers cannot load as is. */
export function checkTfjsLimits(who: string, node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) checkTfjsLimits(who, n);
    return;
  }
  if (!isRecord(node)) return;
  if (typeof node.class_name === 'string' && isRecord(node.config)) {
    const why = limit(node.class_name, node.config);
    if (why) throw new BrickError(`${who}: ${node.class_name} '${String(node.config.name)}': ${why}`, who);
  }
  for (const v of Object.values(node)) checkTfjsLimits(who, v);
}
