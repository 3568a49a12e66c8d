import { sizeOf } from '@brickml/core';
import type { Layer } from '@brickml/layers';

const count = (n: number) => n.toLocaleString('en-US');
const shapeText = (shape: readonly (number | null)[]) =>
  shape.length ? `(None, ${shape.map((d) => d ?? 'None').join(', ')})` : '(None,)';

function pad(cells: string[], widths: number[]): string {
  return ` ${cells.map((c, i) => c.padEnd(widths[i] as number)).join('')}`.trimEnd();
}

/**
 * Keras' summary table: one row per brick with its output shape (batch axis None) and parameter count,
 * then the total, trainable (params) and non-trainable (state) counts.
 */
export function summaryText(name: string, layers: readonly Layer[]): string {
  const size = (vs: Record<string, { shape: number[] }>) => Object.values(vs).reduce((n, v) => n + sizeOf(v.shape), 0);
  let trainable = 0;
  let frozen = 0;
  const rows = layers.map((layer) => {
    const p = size(layer.params);
    const s = size(layer.state);
    trainable += p;
    frozen += s;
    const shape = layer.built ? shapeText(layer.outputShape) : '(unbuilt)';
    return [`${layer.name} (${layer.className})`, shape, count(p + s)];
  });
  // Keras' column widths, widened where a name or shape would not fit.
  const widths = [29, 26, 10].map((w, c) => Math.max(w, ...rows.map((r) => (r[c] as string).length + 2)));
  const width = Math.max(
    65,
    widths.reduce((a, b) => a + b, 0),
  );
  const rule = (c: string) => c.repeat(width);
  const lines = [`Model: "${name}"`, rule('_'), pad(['Layer (type)', 'Output Shape', 'Param #'], widths), rule('=')];
  rows.forEach((row, i) => {
    lines.push(pad(row, widths));
    lines.push(i === rows.length - 1 ? rule('=') : '');
  });
  if (layers.length === 0) lines.push(rule('='));
  lines.push(
    `Total params: ${count(trainable + frozen)}`,
    `Trainable params: ${count(trainable)}`,
    `Non-trainable params: ${count(frozen)}`,
    rule('_'),
  );
  return lines.join('\n');
}

interface GraphLike {
  readonly name: string;
  readonly graph: {
    readonly owners: readonly { className: string; name: string }[];
    readonly nodes: readonly {
      owner: unknown;
      inputs: readonly { node: unknown; index: number; shape: readonly (number | null)[] }[];
      outputs: readonly { shape: readonly (number | null)[] }[];
    }[];
    readonly callIndex: ReadonlyMap<unknown, number>;
  } | null;
}

/** Counts of a brick's or nested model's weights: trainable and not. */
export type WeightCounts = (member: unknown) => { trainable: number; frozen: number };

/**
 * Keras' summary table of a functional model: one row per brick, input or nested model, in Keras' order,
 * with its output shape, parameter count and the tensors it reads ("Connected to": `name[call][output]`,
 * one line per tensor, every call of a shared brick listed).
 */
export function graphSummaryText(model: GraphLike, counts: WeightCounts): string {
  const graph = model.graph;
  if (!graph) return '';
  let trainable = 0;
  let frozen = 0;
  const rows: string[][] = [];
  for (const owner of graph.owners) {
    const calls = graph.nodes.filter((n) => n.owner === owner);
    const isInput = owner.className === 'InputLayer';
    const shapes = isInput
      ? [(owner as unknown as { shape: number[] }).shape]
      : (calls[0]?.outputs.map((t) => t.shape) ?? []);
    const shape =
      shapes.length === 1
        ? shapeText(shapes[0] as (number | null)[])
        : `[${shapes.map((s) => shapeText(s)).join(', ')}]`;
    const c = isInput ? { trainable: 0, frozen: 0 } : counts(owner);
    trainable += c.trainable;
    frozen += c.frozen;
    const links = calls.flatMap((n) =>
      n.inputs.map((t) => {
        const from = t.node as { owner: { name: string } };
        return `${from.owner.name}[${graph.callIndex.get(t.node) ?? 0}][${t.index}]`;
      }),
    );
    rows.push([`${owner.name} (${owner.className})`, shape, count(c.trainable + c.frozen), links[0] ?? '-']);
    for (const link of links.slice(1)) rows.push(['', '', '', link]);
  }
  const widths = [31, 21, 12, 20].map((w, c) => Math.max(w, ...rows.map((r) => (r[c] as string).length + 2)));
  const width = widths.reduce((a, b) => a + b, 0);
  const rule = (c: string) => c.repeat(width);
  const lines = [
    `Model: "${model.name}"`,
    rule('_'),
    pad(['Layer (type)', 'Output Shape', 'Param #', 'Connected to'], widths),
    rule('='),
  ];
  rows.forEach((row, i) => {
    lines.push(pad(row, widths));
    const next = rows[i + 1];
    if (next && next[0] !== '') lines.push('');
  });
  lines.push(
    rule('='),
    `Total params: ${count(trainable + frozen)}`,
    `Trainable params: ${count(trainable)}`,
    `Non-trainable params: ${count(frozen)}`,
    rule('_'),
  );
  return lines.join('\n');
}
