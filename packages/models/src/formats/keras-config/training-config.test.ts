import { Dense } from '@brickml/layers';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { Sequential } from '../../index.js';
import { compileFromKeras } from './compile-from-keras.js';
import { compileArgsFromKeras } from './training-config.js';

const classifier = () =>
  new Sequential({
    name: 'clf',
    inputShape: [3],
    layers: [new Dense({ name: 'out', units: 2, activation: 'softmax' })],
  });

const adam = { class_name: 'Adam', config: { learning_rate: 0.01, beta_1: 0.8, use_ema: false, name: 'adam' } };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('one translator for Keras 2, tfjs-layers and Keras 3 training configs', () => {
  test("Keras 3's and Keras 2's optimizer objects read alike; tfjs' RMSProp decay is rho", () => {
    const keras3 = compileArgsFromKeras({ optimizer: adam, loss: 'mse' }, 'keras3');
    const keras2 = compileArgsFromKeras({ optimizer_config: adam, loss: 'mse' }, 'keras2');
    const tfjs = compileArgsFromKeras(
      { optimizer_config: { class_name: 'RMSProp', config: { learningRate: 0.1, decay: 0.8 } }, loss: 'mse' },
      'keras2',
    );
    const adamSpec = { className: 'Adam', config: { learningRate: 0.01, beta1: 0.8 } };
    expect(keras3).toEqual({ value: { optimizer: adamSpec, loss: 'mse' } });
    expect(keras2).toEqual({ value: { optimizer: adamSpec, loss: 'mse' } });
    expect(tfjs).toEqual({
      value: { optimizer: { className: 'RMSprop', config: { learningRate: 0.1, rho: 0.8 } }, loss: 'mse' },
    });
  });

  test('Keras metric objects read as { className, config }', () => {
    const metric = {
      module: 'keras.metrics',
      class_name: 'AUC',
      config: { name: 'auc', num_thresholds: 50, dtype: 'float32' },
    };
    const read = compileArgsFromKeras({ optimizer: adam, loss: 'mse', metrics: ['accuracy', metric] }, 'keras3');
    expect(read).toMatchObject({
      value: { metrics: ['accuracy', { className: 'AUC', config: { name: 'auc', numThresholds: 50 } }] },
    });
  });

  test('a setting brickml cannot honour is the reason, not a silent null', () => {
    expect(compileArgsFromKeras({ optimizer: { class_name: 'Ftrl', config: {} }, loss: 'mse' }, 'keras3')).toEqual({
      why: "brickml has no optimizer 'Ftrl'",
    });
    expect(
      compileArgsFromKeras(
        { optimizer: { ...adam, config: { ...adam.config, use_ema: true } }, loss: 'mse' },
        'keras3',
      ),
    ).toEqual({ why: "optimizer 'Adam' sets use_ema to true, which brickml has only at false" });
    expect(compileArgsFromKeras({}, 'keras3')).toBeNull();
  });
});

describe('compiling a loaded model from its training config', () => {
  test('compiles it when brickml has everything named, without a warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = classifier();
    compileFromKeras(
      'load',
      model,
      { optimizer: adam, loss: 'categorical_crossentropy', metrics: ['accuracy'] },
      'keras3',
    );
    expect(model.isCompiled).toBe(true);
    expect(warn).not.toHaveBeenCalled();
    model.dispose();
  });

  test.each([
    ['an optimizer', { optimizer: { class_name: 'Ftrl', config: {} }, loss: 'mse' }, "brickml has no optimizer 'Ftrl'"],
    ['a loss', { optimizer: adam, loss: 'no_such_loss' }, 'no_such_loss'],
    ['a metric', { optimizer: adam, loss: 'mse', metrics: ['no_such_metric'] }, 'no_such_metric'],
  ])('%s brickml lacks leaves it uncompiled, with a warning naming it', (_, config, named) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = classifier();
    compileFromKeras('load', model, config, 'keras3');
    expect(model.isCompiled).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^load: the model loads uncompiled: /);
    expect(String(warn.mock.calls[0]?.[0])).toContain(named);
    model.dispose();
  });
});
