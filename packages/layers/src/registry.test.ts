import { BrickError } from '@brickml/core';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { Conv2D } from './convolutional/conv2d.js';
import { Dense, type DenseConfig } from './core/dense.js';
import { type LayerClassName, LayerSpec, layerFromSpec } from './registry.js';

describe('layerFromSpec', () => {
  test('builds a brick from { className, config } with the schema defaults', () => {
    const dense = layerFromSpec({ className: 'Dense', config: { units: 4, name: 'head' } });
    expect(dense).toBeInstanceOf(Dense);
    expect(dense.name).toBe('head');
    expect(dense.config).toMatchObject({ units: 4, activation: 'linear', useBias: true });
    expect(layerFromSpec({ className: 'Conv2D', config: { filters: 2, kernelSize: 3 } })).toBeInstanceOf(Conv2D);
  });

  test('names the brick and the field of a bad config', () => {
    expect(() => layerFromSpec({ className: 'Dense', config: { units: 0 } })).toThrowError(BrickError);
    expect(() => layerFromSpec({ className: 'Dense', config: { units: 0, name: 'dense_x' } })).toThrow(
      "Dense 'dense_x': units must be a positive integer, received 0",
    );
    expect(() => layerFromSpec({ className: 'Flatten' })).toThrow(
      'Flatten: config must be an object, received nothing',
    );
  });

  test('refuses an unknown className, listing the known ones', () => {
    expect(() => layerFromSpec({ className: 'Conv3D', config: {} })).toThrow(
      /^layerFromSpec: unknown className "Conv3D", expected one of Dense, ReLU, .*, RandomTranslation/,
    );
  });

  test('LayerSpec is a union over the class names with each brick’s config type', () => {
    expectTypeOf<LayerClassName>().not.toEqualTypeOf<string>();
    expectTypeOf<'Dense' | 'Conv2D' | 'BatchNormalization'>().toExtend<LayerClassName>();
    expectTypeOf<Extract<LayerSpec, { className: 'Dense' }>['config']>().toEqualTypeOf<DenseConfig>();
    expect(LayerSpec.safeParse({ className: 'Dense', config: { units: 3 } }).success).toBe(true);
    expect(LayerSpec.safeParse({ className: 'Dense', config: { units: 3, bogus: 1 } }).success).toBe(false);
    expect(LayerSpec.safeParse({ className: 'Dense' }).success).toBe(false);
  });
});
