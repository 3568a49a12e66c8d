import { sizeOf } from '@brickml/core';
import type { Layer } from '@brickml/layers';

const count = (n: number) => n.toLocaleString('en-US');
const shapeText = (shape: readonly number[]) => (shape.length ? `(None, ${shape.join(', ')})` : '(None,)');

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
