import { describe, expect, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import { positiveInt } from './config.js';
import { BrickError } from './errors.js';
import { entry, registry } from './registry.js';

const WidthConfig = z.strictObject({
  /** Logs key. */
  name: z.string().min(1).optional(),
  units: positiveInt(),
});
const ScaleConfig = z.strictObject({ factor: z.number().default(2) });

class Width {
  readonly kind = 'width';
  constructor(readonly config: z.input<typeof WidthConfig>) {}
}
class Scale {
  readonly kind = 'scale';
  constructor(readonly config: z.input<typeof ScaleConfig>) {}
}

const table = {
  Width: entry(WidthConfig, (c) => new Width(c)),
  Scale: entry(ScaleConfig, (c) => new Scale(c)),
};
const required = registry('thingFromSpec', table);
const optional = registry('thingFromSpec', table, 'optional');
const prefault = registry('thingFromSpec', table, 'prefault');

describe('registry', () => {
  test('lists the class names in table order', () => {
    expect(required.names).toEqual(['Width', 'Scale']);
    expect(required.has('Scale')).toBe(true);
    expect(required.has('toString')).toBe(false);
    expect(required.has(3)).toBe(false);
  });

  test('derives a union that parses every entry and refuses the rest', () => {
    expect(required.spec.parse({ className: 'Scale', config: {} })).toEqual({
      className: 'Scale',
      config: { factor: 2 },
    });
    expect(required.spec.safeParse({ className: 'Width', config: { units: 3 } }).success).toBe(true);
    expect(required.spec.safeParse({ className: 'Width', config: { units: 0 } }).success).toBe(false);
    expect(required.spec.safeParse({ className: 'Width', config: { units: 3, bias: 1 } }).success).toBe(false);
    expect(required.spec.safeParse({ className: 'Width', config: { units: 3 }, extra: 1 }).success).toBe(false);
    expect(required.spec.safeParse({ className: 'Depth', config: {} }).success).toBe(false);
  });

  test('keeps config required, optional or prefaulted as asked', () => {
    expect(required.spec.safeParse({ className: 'Scale' }).success).toBe(false);
    expect(optional.spec.parse({ className: 'Scale' })).toEqual({ className: 'Scale' });
    expect(prefault.spec.parse({ className: 'Scale' })).toEqual({ className: 'Scale', config: { factor: 2 } });
  });

  test('gives the union precise input and output types', () => {
    type In = z.input<typeof required.spec>;
    expectTypeOf<In['className']>().toEqualTypeOf<'Width' | 'Scale'>();
    expectTypeOf<Extract<In, { className: 'Width' }>['config']>().toEqualTypeOf<z.input<typeof WidthConfig>>();
    expectTypeOf<Extract<z.output<typeof required.spec>, { className: 'Scale' }>['config']>().toEqualTypeOf<{
      factor: number;
    }>();
    expectTypeOf<Extract<z.input<typeof optional.spec>, { className: 'Scale' }>['config']>().toEqualTypeOf<
      z.input<typeof ScaleConfig> | undefined
    >();
    expectTypeOf<Extract<z.output<typeof prefault.spec>, { className: 'Scale' }>['config']>().toEqualTypeOf<{
      factor: number;
    }>();
    expectTypeOf(required.create).returns.toEqualTypeOf<Width | Scale>();
    expectTypeOf(required.names).toEqualTypeOf<readonly ('Width' | 'Scale')[]>();
  });

  test('builds an instance from a validated config', () => {
    const scale = required.create({ className: 'Scale', config: {} });
    expect(scale).toBeInstanceOf(Scale);
    expect(scale.config).toEqual({ factor: 2 });
    expect(optional.create({ className: 'Scale' }).config).toEqual({ factor: 2 });
    expect(prefault.create({ className: 'Scale', config: null }).config).toEqual({ factor: 2 });
  });

  test('names the class and the field of a bad config', () => {
    expect(() => required.create({ className: 'Width', config: { units: 0 } })).toThrowError(BrickError);
    expect(() => required.create({ className: 'Width', config: { units: 0 } })).toThrow(
      'Width: units must be a positive integer, received 0',
    );
    expect(() => required.create({ className: 'Width', config: { name: 'w_1', units: 1.5 } })).toThrow(
      "Width 'w_1': units must be a positive integer, received 1.5",
    );
    expect(() => required.create({ className: 'Scale', config: { factor: 1, bias: 0 } })).toThrow(
      "Scale: unknown field(s) 'bias'",
    );
    expect(() => required.create({ className: 'Scale' })).toThrow('Scale: config must be an object, received nothing');
  });

  test('refuses an unknown className listing the known ones, and fields beside className and config', () => {
    expect(() => required.create({ className: 'Depth', config: {} })).toThrow(
      'thingFromSpec: unknown className "Depth", expected one of Width, Scale',
    );
    expect(() => required.create('Width')).toThrow('thingFromSpec: unknown className undefined');
    expect(() => required.create(null)).toThrow('thingFromSpec: unknown className undefined');
    expect(() => required.create({ className: 'Scale', config: {}, extra: 1 })).toThrow(
      "thingFromSpec: unknown field(s) 'extra' beside className and config",
    );
  });
});
