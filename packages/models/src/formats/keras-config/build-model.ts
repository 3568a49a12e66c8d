/** A brickml Model from a Keras model config, built, with what the config alone could not check. */
import type { Layer } from '@brickml/layers';
import { leafBricks } from '../../engine/executor.js';
import type { Model } from '../../model.js';
import { modelFromSpec } from '../../model-from-spec.js';
import { failField, type KerasFlavor } from './errors.js';
import { layerLabel } from './layer-config.js';
import { readKerasModel } from './model-config.js';

/**
 * Builds the model a Keras config describes (weights as brickml draws them). Keras 2 writes a
 * BatchNormalization's axis as the positive index it resolved; it must be the last axis of the brick's input.
 */
export function modelFromKerasConfig(who: string, config: unknown, flavor: KerasFlavor): Model {
  const { spec, lastAxes } = readKerasModel(who, config, flavor);
  const model = modelFromSpec(spec);
  try {
    if (!model.built) failField(`${who}: the model`, 'must state its input shape (batch_input_shape or an InputLayer)');
    const bricks = leafBricks(model.layers);
    for (const { layer, axis } of lastAxes) {
      const brick = bricks.find((b) => b.name === layer) as Layer | undefined;
      const rank = brick ? brick.inputShape.length + 1 : axis + 1;
      if (axis !== rank - 1) {
        failField(
          `${who}: ${layerLabel(brick?.className ?? 'BatchNormalization', layer)}: axis`,
          `must be the last axis (${rank - 1}), received ${axis}`,
        );
      }
    }
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}
