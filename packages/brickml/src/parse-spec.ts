/**
 * Validation of the CLI's JSON files with errors that name the file, the JSON path and what was wrong. Like
 * core's parseConfig, plus two things files need: a missing field says "is required", and a union whose one
 * plausible branch failed deeper (a list of metrics with one bad name) reports that branch's error, at its
 * path, instead of zod's "invalid input".
 */
import { BrickError, formatPath, valueAt } from '@brickml/core';
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The issues of the one union branch that matched the value's shape and failed inside it, else the union's. */
function unwrap(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const deeper = issue.errors.filter((branch) => branch.some((i) => i.path.length > 0));
  if (deeper.length !== 1) return [issue];
  return (deeper[0] as Issue[]).flatMap((i) => unwrap({ ...i, path: [...issue.path, ...i.path] } as Issue));
}

/**
 * Validates `raw` with `schema`, or throws one BrickError: "train.json: compile.metrics[0] must be a metric
 * name (...), received \"acuracy\"", each failing field separated by "; ".
 */
export function parseSpec<S extends z.ZodType>(who: string, schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.flatMap(unwrap).map((issue) => {
    const field = formatPath(issue.path) || 'the file';
    if (issue.code === 'unrecognized_keys') {
      return `${field === 'the file' ? '' : `${field}: `}unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    }
    const value = valueAt(raw, issue.path);
    if (value === undefined) return `${field} is required`;
    return `${field} ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}, received ${show(value)}`;
  });
  throw new BrickError(`${who}: ${lines.join('; ')}`, who);
}
