import { describe, expect, test } from 'vitest';
import { History } from './history.js';
import { niceTicks } from './history-chart.js';

function trained(): History {
  const h = new History();
  h.onTrainBegin();
  const logs = [
    { loss: 0.9, accuracy: 0.6, val_loss: 1.0, val_accuracy: 0.55 },
    { loss: 0.5, accuracy: 0.8, val_loss: 0.7, val_accuracy: 0.7 },
    { loss: 0.3, accuracy: 0.9, val_loss: 0.6, val_accuracy: 0.75 },
  ];
  logs.forEach((l, i) => {
    h.onEpochEnd(i, l);
  });
  return h;
}

describe('History', () => {
  test('records one value per epoch for each log key', () => {
    const h = trained();
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(h.history.loss).toEqual([0.9, 0.5, 0.3]);
    expect(h.history.val_accuracy).toEqual([0.55, 0.7, 0.75]);
  });

  test('toSVG draws one chart per metric and one path per series', () => {
    const svg = trained().toSVG({ width: 300, height: 200 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<g class="chart"/g)).toHaveLength(2);
    const paths = [...svg.matchAll(/<path d="([^"]*)"[^>]*data-series="([^"]+)"/g)];
    expect(paths.map((p) => p[2])).toEqual(['loss', 'val_loss', 'accuracy', 'val_accuracy']);
    for (const [, d] of paths) expect(d).toMatch(/^M[\d.]+ [\d.]+ L[\d.]+ [\d.]+ L[\d.]+ [\d.]+$/);
    expect(svg).toContain('>epoch</text>');
    expect(svg).toMatch(/>val_accuracy<\/text>/);
  });

  test('toSVG output is well-formed XML', () => {
    const svg = trained().toSVG();
    // Every element is self-closed or closed in order.
    const stack: string[] = [];
    for (const [, close, name, selfClose] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      if (close) expect(stack.pop()).toBe(name);
      else if (!selfClose) stack.push(name as string);
    }
    expect(stack).toEqual([]);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  test('toSVG copes with one epoch, NaN values and names that need escaping', () => {
    const h = new History();
    h.onEpochEnd(0, { loss: Number.NaN, 'a<b': 1 });
    const svg = h.toSVG();
    expect(svg).toContain('a&lt;b');
    expect(svg).not.toContain('a<b');
    expect(svg.match(/<path /g)).toHaveLength(2);
  });

  test('niceTicks gives round steps covering the range', () => {
    expect(niceTicks(0.31, 0.92)).toEqual([0.4, 0.6, 0.8]);
    expect(niceTicks(1, 10)).toEqual([2, 4, 6, 8, 10]);
  });
});
