/**
 * Live validation of the spec text: JSON syntax, then brickml's zod schema (ModelSpec), then building the
 * model (shapes that do not fit). Each issue carries the field's path and its line in the text.
 */
import { formatPath, type Model, ModelSpec, modelFromSpec, setSeed, valueAt } from 'brickml';
import { lineAt, locate } from './json-locate.js';

export interface FieldIssue {
  /** The field, as zod writes paths (`config.layers[0].config.units`); '' for the whole spec. */
  path: string;
  message: string;
  /** 1-based line in the text. */
  line: number;
}

export type Checked = { ok: true; json: unknown; model: Model } | { ok: false; json: unknown; issues: FieldIssue[] };

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The brick a build error names ("layer 2 Conv2D ..." or a spec path), so the error is shown at it. */
function pathIn(message: string): string {
  const spec = /config\.layers\[\d+\](\.config(\.\w+)?)?/.exec(message)?.[0];
  const layer = /layer (\d+) /.exec(message)?.[1];
  return spec ?? (layer === undefined ? '' : `config.layers[${layer}]`);
}

/** zod lists every allowed name (44 activations); the page shows a few. */
function shorten(issue: { message: string; values?: unknown[]; options?: unknown[] }): string {
  const names = issue.values ?? issue.options;
  if (!names || names.length <= 6) return issue.message;
  return `must be one of ${names
    .slice(0, 6)
    .map((n) => JSON.stringify(n))
    .join(', ')}, ... (${names.length} in all)`;
}

const snake = (name: string) =>
  name
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();

/**
 * A copy of a Sequential spec whose unnamed bricks are named as Keras would name them in a fresh session
 * (`dense_1`, `dense_2`): brickml's counters keep counting across the page's rebuilds, and the summary and
 * the downloaded model should read the same however often the spec was edited.
 */
function named(json: unknown): unknown {
  const spec = json as { className: string; config: { layers: { className: string; config: { name?: string } }[] } };
  if (spec.className !== 'Sequential') return json;
  const counts = new Map<string, number>();
  const layers = spec.config.layers.map((layer) => {
    const base = snake(layer.className);
    const n = (counts.get(base) ?? 0) + 1;
    counts.set(base, n);
    return { ...layer, config: { name: `${base}_${n}`, ...layer.config } };
  });
  return { ...spec, config: { name: 'sequential', ...spec.config, layers } };
}

/** Parses, validates and builds; `seed` seeds the new model's initial weights. */
export function checkSpec(text: string, seed: number): Checked {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const position = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    return { ok: false, json: undefined, issues: [{ path: '', message, line: lineAt(text, position) }] };
  }
  const places = locate(text);
  const line = (path: string) => lineAt(text, places.get(path) ?? 0);
  const parsed = ModelSpec.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const path = formatPath(keys.length ? [...issue.path, keys[0] as string] : issue.path);
      const value = valueAt(json, issue.path);
      const message = keys.length
        ? `unknown field(s) ${keys.map((k) => `'${k}'`).join(', ')}`
        : value === undefined
          ? `${shorten(issue)} (the field is missing)`
          : `${shorten(issue)}, received ${show(value)}`;
      return { path, message, line: line(path) };
    });
    return { ok: false, json, issues };
  }
  try {
    setSeed(seed);
    return { ok: true, json, model: modelFromSpec(named(json)) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const path = pathIn(message);
    return { ok: false, json, issues: [{ path, message, line: line(path) }] };
  }
}
