import { z } from 'zod';
import { BrickError } from './errors.js';

/** A positive integer, with the wording users see when it is not one. */
export const positiveInt = () =>
  z.int({ error: 'must be a positive integer' }).positive({ error: 'must be a positive integer' });
export const nonNegativeInt = () =>
  z.int({ error: 'must be a non-negative integer' }).nonnegative({ error: 'must be a non-negative integer' });
export const positiveNumber = () => z.number({ error: 'must be a number' }).positive({ error: 'must be positive' });
export const nonNegativeNumber = () =>
  z.number({ error: 'must be a number' }).nonnegative({ error: 'must be non-negative' });

type Shape = z.core.$ZodLooseShape;
/** B over A: a field of B replaces A's of the same name, as in `{ ...a, ...b }`. */
type Override<A, B> = [keyof A & keyof B] extends [never] ? A & B : Omit<A, keyof B> & B;
/** The shapes of a list merged in order: `[A, B, C]` → `A & B & C`. */
type Merged<T extends readonly Shape[]> = T extends readonly [
  ...infer Init extends readonly Shape[],
  infer Last extends Shape,
]
  ? Override<Merged<Init>, Last>
  : // biome-ignore lint/complexity/noBannedTypes: the neutral element of the intersection
    {};

/**
 * A config schema: `z.strictObject` of the given shapes merged in order, typed as `ZodObject<A & B & ...>`.
 * zod's own return type maps the shape (`Writeable<T>`), and the fields of a mapped type lose their TSDoc in
 * a `.d.ts`. Through this one, the doc line above each field of a literal shape is kept in the published
 * types and shows on hover; a shared group of fields (`baseConfig`, `kernelFields`) keeps its docs when its
 * type is an interface (`BaseFields`), which the `.d.ts` names instead of spelling its fields out.
 *
 * @example
 * export const DenseConfig = configObject(baseConfig, { units: positiveInt() }, kernelFields);
 */
export function configObject<T extends readonly Shape[]>(...shapes: T): z.ZodObject<Merged<T>, z.core.$strict> {
  return z.strictObject(Object.assign({}, ...shapes)) as z.ZodObject<Merged<T>, z.core.$strict>;
}

/** The value found at a zod issue's path in the raw input; undefined where the path leaves it. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    const text = JSON.stringify(v);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(v);
  }
}

/** `layers[3].config.units` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/**
 * Validates `raw` with `schema`, or throws one BrickError naming `who`, each failing field, what was
 * expected and what was received: "Dense 'dense_1': units must be a positive integer, received 0".
 */
export function parseConfig<S extends z.ZodType>(who: string, schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const field = formatPath(issue.path) || 'config';
    if (issue.code === 'unrecognized_keys')
      return `${field === 'config' ? '' : `${field}: `}unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    const message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
    return `${field} ${message}, received ${show(valueAt(raw, issue.path))}`;
  });
  throw new BrickError(`${who}: ${lines.join('; ')}`, who);
}
