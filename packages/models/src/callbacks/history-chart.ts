/**
 * History as a standalone SVG: one panel per metric (the key without its 'val_' prefix), the train
 * series and its val_ twin drawn as paths over epochs counted from 1, with axes, ticks and a legend.
 */
export interface HistoryChartOptions {
  /** Width of each chart in px. Default: 420. */
  width?: number;
  /** Height of each chart in px. Default: 220. */
  height?: number;
}

const COLORS = { train: '#1f77b4', val: '#ff7f0e' } as const;
const MARGIN = { top: 26, right: 16, bottom: 34, left: 56 } as const;

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => String(Math.round(v * 100) / 100);

/** About `count` round tick values (1, 2 or 5 × 10ᵏ apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function label(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function panel(title: string, series: [string, number[]][], epochs: number[], w: number, h: number, y0: number) {
  const x0 = MARGIN.left;
  const plotW = w - MARGIN.left - MARGIN.right;
  const plotH = h - MARGIN.top - MARGIN.bottom;
  const top = y0 + MARGIN.top;
  const values = series.flatMap(([, s]) => s.filter(Number.isFinite));
  let lo = values.length > 0 ? Math.min(...values) : 0;
  let hi = values.length > 0 ? Math.max(...values) : 1;
  if (hi === lo) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.5, hi + (Math.abs(hi) || 1) * 0.5];
  const xs = epochs.map((e) => e + 1);
  const xLo = Math.min(...xs, 1);
  const xHi = Math.max(...xs, xLo + 1);
  const px = (x: number) => x0 + ((x - xLo) / (xHi - xLo)) * plotW;
  const py = (y: number) => top + plotH - ((y - lo) / (hi - lo)) * plotH;
  const out: string[] = [`<g class="chart" data-metric="${xml(title)}">`];
  out.push(`<text x="${x0}" y="${y0 + 16}" font-size="13" font-weight="bold">${xml(title)}</text>`);
  out.push(`<line x1="${x0}" y1="${top + plotH}" x2="${x0 + plotW}" y2="${top + plotH}" stroke="#333"/>`);
  out.push(`<line x1="${x0}" y1="${top}" x2="${x0}" y2="${top + plotH}" stroke="#333"/>`);
  for (const t of niceTicks(lo, hi)) {
    const y = num(py(t));
    out.push(`<line x1="${x0 - 4}" y1="${y}" x2="${x0 + plotW}" y2="${y}" stroke="#ddd"/>`);
    out.push(
      `<text x="${x0 - 6}" y="${y}" font-size="10" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`,
    );
  }
  for (const t of niceTicks(xLo, xHi, Math.min(8, xHi - xLo)).filter(Number.isInteger)) {
    const x = num(px(t));
    out.push(`<line x1="${x}" y1="${top + plotH}" x2="${x}" y2="${top + plotH + 4}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${top + plotH + 15}" font-size="10" text-anchor="middle">${t}</text>`);
  }
  out.push(`<text x="${x0 + plotW / 2}" y="${y0 + h - 4}" font-size="11" text-anchor="middle">epoch</text>`);
  series.forEach(([key, s], i) => {
    const color = key.startsWith('val_') ? COLORS.val : COLORS.train;
    let d = '';
    let pen = 'M';
    s.forEach((v, j) => {
      const x = xs[j];
      if (x === undefined || !Number.isFinite(v)) {
        pen = 'M';
        return;
      }
      d += `${pen}${num(px(x))} ${num(py(v))} `;
      pen = 'L';
      if (s.length === 1) d += `l0.01 0 `;
    });
    out.push(`<path d="${d.trim()}" fill="none" stroke="${color}" stroke-width="2" data-series="${xml(key)}"/>`);
    const lx = x0 + plotW - 110;
    const ly = y0 + 10 + i * 13;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 22}" y="${ly}" font-size="10" dominant-baseline="middle">${xml(key)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

/** The SVG document for a History's epochs and series. */
export function historyChart(
  epochs: number[],
  history: Record<string, number[]>,
  { width = 420, height = 220 }: HistoryChartOptions = {},
): string {
  const metrics = [...new Set(Object.keys(history).map((k) => k.replace(/^val_/, '')))];
  const panels = metrics.map((m, i) => {
    const series = [m, `val_${m}`]
      .filter((k) => history[k] !== undefined)
      .map((k) => [k, history[k] as number[]] as [string, number[]]);
    return panel(m, series, epochs, width, height, i * height);
  });
  const total = Math.max(height * metrics.length, height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels,
    '</svg>',
  ].join('\n');
}
