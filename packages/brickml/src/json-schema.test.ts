import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LayerSpec } from '@brickml/layers';
import { describe, expect, test } from 'vitest';
import { jsonSchemas, SCHEMA_FILES } from './json-schema.js';

type Schema = Record<string, unknown> | boolean;

const shipped = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'schema', name), 'utf8')) as Record<string, unknown>;

/**
 * The draft-07 keywords the generated schemas use, checked the way the specification says: enough to tell a
 * known-good document from a known-bad one. Returns the JSON pointers where `value` fails.
 */
function validate(root: Record<string, unknown>, schema: Schema, value: unknown, at = ''): string[] {
  if (schema === true) return [];
  if (schema === false) return [at];
  const s = schema;
  if (typeof s.$ref === 'string') {
    const target =
      s.$ref === '#'
        ? root
        : (s.$ref
            .slice(2)
            .split('/')
            .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root) as Schema);
    return validate(root, target as Schema, value, at);
  }
  const fails: string[] = [];
  const fail = () => fails.push(at);
  const typeOf = (v: unknown) =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (s.type !== undefined) {
    const types = ([] as unknown[]).concat(s.type);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [at];
  }
  if (s.const !== undefined && JSON.stringify(s.const) !== JSON.stringify(value)) fail();
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) fail();
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail();
    if (typeof s.maximum === 'number' && value > s.maximum) fail();
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) fail();
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) fail();
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) fail();
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) fail();
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail();
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail();
    value.forEach((v, i) => {
      const item = Array.isArray(s.items) ? (s.items[i] ?? s.additionalItems ?? true) : (s.items ?? true);
      fails.push(...validate(root, item as Schema, v, `${at}/${i}`));
    });
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const key of (s.required ?? []) as string[]) if (!(key in obj)) fails.push(`${at}/${key}`);
    for (const [key, v] of Object.entries(obj)) {
      if (s.propertyNames) fails.push(...validate(root, s.propertyNames as Schema, key, `${at}/${key}`));
      const sub = props[key] ?? (s.additionalProperties as Schema | undefined) ?? true;
      fails.push(...validate(root, sub, v, `${at}/${key}`));
    }
  }
  const passes = (sub: Schema) => validate(root, sub, value, at).length === 0;
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) fails.push(...validate(root, sub, value, at));
  if (Array.isArray(s.anyOf) && !s.anyOf.some(passes)) fail();
  if (Array.isArray(s.oneOf) && s.oneOf.filter(passes).length !== 1) fail();
  if (s.not !== undefined && passes(s.not as Schema)) fail();
  return fails;
}

const check = (name: string, doc: unknown) => {
  const root = shipped(name);
  return validate(root, root, doc);
};

const mlp = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', 'train-from-json', 'mnist-mlp.json'), 'utf8'),
);

describe('JSON Schemas', () => {
  test('the shipped files are what the zod schemas generate (else run: pnpm --filter brickml schema)', () => {
    for (const [name, text] of Object.entries(jsonSchemas())) expect(shipped(name)).toEqual(JSON.parse(text));
    expect(SCHEMA_FILES).toEqual(['training.json', 'model.json', 'layer.json', 'data.json']);
  });

  test('the training schema requires model and data and closes the file to unknown fields', () => {
    const root = shipped('training.json');
    expect(root.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(root.required).toEqual(['model', 'data']);
    expect(root.additionalProperties).toBe(false);
    expect(Object.keys(root.properties as object)).toEqual([
      '$schema',
      'model',
      'compile',
      'fit',
      'data',
      'backend',
      'seed',
      'output',
    ]);
  });

  test("the layer schema lists one { className, config } per brick, with the registry's class names", () => {
    const root = shipped('layer.json');
    const members = (root.oneOf ?? root.anyOf) as {
      properties: { className: { const: string } };
      required: string[];
    }[];
    expect(members.map((m) => m.properties.className.const)).toEqual(
      LayerSpec.options.map((o) => o.shape.className.value),
    );
    for (const m of members) expect(m.required).toEqual(['className', 'config']);
  });

  test('the example training file passes the training schema', () => {
    expect(check('training.json', mlp)).toEqual([]);
  });

  test('known-bad training files fail where they are wrong', () => {
    expect(check('training.json', { ...mlp, data: undefined })).toEqual(['/data']);
    expect(check('training.json', { ...mlp, epochs: 3 })).toEqual(['/epochs']);
    expect(check('training.json', { ...mlp, fit: { epochs: 0 } })).toEqual(['/fit/epochs']);
    expect(check('training.json', { ...mlp, backend: 'gpu' })).toEqual(['/backend']);
    expect(check('training.json', { ...mlp, compile: { ...mlp.compile, optimizer: 'adamm' } })).toEqual([
      '/compile/optimizer',
    ]);
  });

  test('layer, model and data schemas tell good documents from bad ones', () => {
    expect(check('layer.json', { className: 'Dense', config: { units: 3 } })).toEqual([]);
    expect(check('layer.json', { className: 'Dense', config: { units: 0 } })).toEqual(['']);
    expect(check('layer.json', { className: 'Dence', config: {} })).toEqual(['']);
    expect(check('model.json', { $schema: 'model.json', ...mlp.model })).toEqual([]);
    expect(check('model.json', { ...mlp.model, version: 2 })).toEqual(['']);
    expect(check('data.json', { kind: 'csv', path: 'a.csv', label: 'y' })).toEqual([]);
    expect(check('data.json', { kind: 'csv', path: 'a.csv' })).toEqual(['']);
  });
});
