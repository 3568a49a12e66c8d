import { Dense } from '@brickml/layers';
import { unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { Sequential } from '../../index.js';
import { kerasCompileConfig } from './compile-config.js';
import { readH5 } from './h5.js';
import { modelFromKerasFile } from './read.js';
import { modelToKerasFile } from './write.js';

const classifier = () =>
  new Sequential({
    name: 'clf',
    inputShape: [3],
    layers: [new Dense({ name: 'out', units: 2, activation: 'softmax' })],
  });

const configOf = (bytes: Uint8Array) =>
  JSON.parse(new TextDecoder().decode(unzipSync(bytes)['config.json'])) as Record<string, unknown>;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Keras 3's compile_config", () => {
  test.each([
    ['SGD', 'SGD'],
    ['RMSprop', 'rmsprop'],
    ['Adam', 'adam'],
    ['AdamW', 'adamw'],
    ['Adagrad', 'adagrad'],
    ['Adadelta', 'adadelta'],
    ['Adamax', 'adamax'],
    ['Nadam', 'nadam'],
    ['Lion', 'lion'],
  ])('optimizer %s is written as Keras 3 registers it, named %s', (className, name) => {
    const model = classifier();
    model.compile({ optimizer: { className, config: {} } as never, loss: 'mse' });
    expect(kerasCompileConfig('save', model).optimizer).toMatchObject({
      module: 'keras.optimizers',
      class_name: className,
      config: { name },
      registered_name: null,
    });
    model.dispose();
  });

  test('metrics given as { className, config } are written as keras.metrics objects and read back', async () => {
    const model = classifier();
    const auc = { className: 'AUC' as const, config: { numThresholds: 50 } };
    model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy', auc] });
    const bytes = await modelToKerasFile(model);
    expect((configOf(bytes).compile_config as { metrics: unknown }).metrics).toEqual([
      'accuracy',
      {
        module: 'keras.metrics',
        class_name: 'AUC',
        config: { name: 'auc', dtype: 'float32', num_thresholds: 50 },
        registered_name: null,
      },
    ]);
    const copy = await modelFromKerasFile('copy', bytes);
    expect(copy.optimizer.className).toBe('RMSprop');
    expect(copy.compiledOutputs[0]?.metricSpecs).toEqual([
      'accuracy',
      { className: 'AUC', config: { name: 'auc', numThresholds: 50 } },
    ]);
    copy.dispose();
    model.dispose();
  });

  test('a metric object without className and config is refused by name', () => {
    const model = classifier();
    const custom = { name: 'mine', update() {}, result: async () => 0, reset() {}, dispose() {} };
    model.compile({ optimizer: 'adam', loss: 'mse', metrics: [custom] });
    expect(() => kerasCompileConfig('save', model)).toThrow(
      "save: metric 'mine' of output 'out' is an object without className and config",
    );
    model.dispose();
  });

  test('includeOptimizer: false writes neither compile_config nor the optimizer group', async () => {
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const bytes = await modelToKerasFile(model, { includeOptimizer: false });
    expect(configOf(bytes).compile_config).toBeUndefined();
    const tree = await readH5('test', unzipSync(bytes)['model.weights.h5'] as Uint8Array);
    expect(tree.groups.has('optimizer')).toBe(false);
    const copy = await modelFromKerasFile('copy', bytes);
    expect(copy.isCompiled).toBe(false);
    copy.dispose();
    model.dispose();
  });

  test('a compile_config brickml cannot restore loads the model uncompiled, with a warning saying why', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = classifier();
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const written = await modelToKerasFile(model);
    const bytes = unzipSync(written);
    const config = configOf(written);
    const compile = config.compile_config as { loss: { class_name: string } };
    compile.loss.class_name = 'NoSuchLoss';
    bytes['config.json'] = new TextEncoder().encode(JSON.stringify(config));
    const copy = await modelFromKerasFile('copy', zipSync(bytes));
    expect(copy.isCompiled).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^copy: the model loads uncompiled: .*NoSuchLoss/);
    copy.dispose();
    model.dispose();
  });
});
