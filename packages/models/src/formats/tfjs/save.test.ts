import { Dense } from '@brickml/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { Sequential } from '../../index.js';
import { modelToKerasFile } from '../keras/write.js';
import { modelToTfjsArtifacts } from './save.js';

const classifier = () =>
  new Sequential({
    name: 'clf',
    inputShape: [3],
    layers: [new Dense({ name: 'out', units: 2, activation: 'softmax' })],
  });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tfjs-layers artifacts of a brickml model', () => {
  test('a compiled model carries its training config, or none with includeOptimizer: false', async () => {
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const withConfig = await modelToTfjsArtifacts(model);
    expect(withConfig.trainingConfig).toMatchObject({ loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const without = await modelToTfjsArtifacts(model, { includeOptimizer: false });
    expect(without.trainingConfig).toBeUndefined();
    model.dispose();
  });

  test('a training config tfjs-layers cannot take is left out with a warning saying why', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = classifier();
    model.compile({ optimizer: 'lion', loss: 'categoricalCrossentropy' });
    const artifacts = await modelToTfjsArtifacts(model);
    expect(artifacts.trainingConfig).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      "Sequential 'clf'.save: the training config is left out: tfjs-layers 4.22 has no optimizer Lion",
    );
    model.dispose();
  });

  test('a param without a Keras weight name is a named error in both Keras formats, never left out', async () => {
    const model = classifier();
    const dense = model.getLayer('out') as Dense;
    const extra = tf.variable(tf.zeros([2]));
    (dense.params as Record<string, tf.Variable>).extra = extra;
    await expect(modelToTfjsArtifacts(model)).rejects.toThrow(
      "Sequential 'clf'.save: Dense 'out' param 'extra' has no Keras weight name",
    );
    await expect(modelToKerasFile(model)).rejects.toThrow("Dense 'out': param 'extra' has no Keras weight name");
    delete (dense.params as Record<string, tf.Variable>).extra;
    extra.dispose();
    model.dispose();
  });
});
