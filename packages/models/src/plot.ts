/**
 * A model drawn as Keras' plot_model draws it (show_shapes, top to bottom): one box per input, brick and
 * nested model, headed `name (ClassName)` over its input and output shapes, and one arrow per tensor a
 * brick reads. Boxes sit in rows by their longest path from the inputs; an arrow that skips rows passes
 * through a lane kept free in each row it crosses, and each row is ordered by where its arrows come from,
 * then centred (a small Sugiyama layout). A brick that reads its own output, directly or through others,
 * gets an arrow curving back up along its right side. Text is measured as monospace.
 */
import type { Shape } from '@brickml/core';

interface Owner {
  readonly className: string;
  readonly name: string;
}
interface Tensor {
  readonly shape: Shape;
  readonly node: { readonly owner: Owner };
}

/** What the picture needs of a model: its graph, or for a Sequential (graph null) its chain of bricks. */
export interface PlotModel {
  readonly name: string;
  readonly graph: {
    readonly inputs: readonly Tensor[];
    readonly nodes: readonly {
      readonly owner: Owner;
      readonly inputs: readonly Tensor[];
      readonly outputs: readonly Tensor[];
    }[];
  } | null;
  readonly layers: readonly (Owner & { readonly built?: boolean; readonly outputShape?: Shape })[];
  readonly inputNames: readonly string[];
  readonly inputShapes: readonly Shape[] | null;
}

const [TITLE, BODY, EM] = [13, 12, 0.6]; // font sizes (px) and a monospace glyph's advance (em)
const [PAD, HEAD, LINE, GAP_X, GAP_Y, LANE, MARGIN] = [10, 24, 17, 28, 56, 12, 20];
const BOX_H = HEAD + 2 * LINE + 10;
const FONT = 'DejaVu Sans Mono, Menlo, Consolas, monospace';

interface Box {
  name: string;
  title: string;
  ins: Set<string>;
  outs: Set<string>;
}
/** A box, or a lane kept free for an arrow passing a row; `row` is its depth. */
interface Cell {
  w: number;
  row: number;
  x: number;
  preds: Cell[];
  box?: Box;
}

const shapeText = (s: Shape | null | undefined) => (s ? `(${['None', ...s].join(', ')})` : '?');
const shapesText = (ts: readonly { shape: Shape }[]) =>
  ts.length === 1 ? shapeText(ts[0]?.shape) : `[${ts.map((t) => shapeText(t.shape)).join(', ')}]`;
const xml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const one = (set: Set<string>) => (set.size === 1 ? ([...set][0] as string) : 'multiple');
const lines = (b: Box) => [`Input shape: ${one(b.ins)}`, `Output shape: ${one(b.outs)}`];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The model as a self-contained SVG document, as Keras' plot_model(show_shapes=True) lays it out.
 *
 * @example
 * await writeFile('model.svg', modelToSVG(model)); // the same as model.toSVG()
 */
export function modelToSVG(model: PlotModel): string {
  const cells = new Map<Owner, Cell>();
  const edges: [Cell, Cell][] = [];
  const add = (owner: Owner, ins: string, outs: string) => {
    const { name, className } = owner;
    const box = cells.get(owner)?.box ?? { name, title: `${name} (${className})`, ins: new Set(), outs: new Set() };
    const cell = cells.get(owner) ?? { w: 0, row: 0, x: 0, preds: [], box };
    cells.set(owner, cell);
    box.ins.add(ins);
    box.outs.add(outs);
    return cell;
  };
  if (model.graph) {
    for (const t of model.graph.inputs) add(t.node.owner, shapesText([t]), shapesText([t]));
    for (const n of model.graph.nodes) {
      const cell = add(n.owner, shapesText(n.inputs), shapesText(n.outputs));
      for (const t of n.inputs) edges.push([cells.get(t.node.owner) as Cell, cell]);
    }
  } else {
    let shape = model.inputShapes?.[0] ?? null;
    let prev = add(
      { name: model.inputNames[0] ?? 'input', className: 'InputLayer' },
      shapeText(shape),
      shapeText(shape),
    );
    for (const layer of model.layers) {
      const out = layer.built ? (layer.outputShape ?? null) : null;
      const cell = add(layer, shapeText(shape), shapeText(out));
      edges.push([prev, cell]);
      [prev, shape] = [cell, out];
    }
  }
  return draw(model.name, [...cells.values()], edges);
}

function draw(name: string, cells: Cell[], edges: [Cell, Cell][]): string {
  // Rows: longest path from the inputs, leaving out the edges a depth-first walk finds closing a cycle.
  const state = new Map<Cell, 'open' | 'done'>();
  const back = new Set<number>();
  const done: Cell[] = [];
  const visit = (c: Cell) => {
    state.set(c, 'open');
    edges.forEach(([f, t], e) => {
      if (f !== c) return;
      if (state.get(t) === 'open') back.add(e);
      else if (!state.has(t)) visit(t);
    });
    state.set(c, 'done');
    done.push(c);
  };
  for (const c of cells) if (!state.has(c)) visit(c);
  for (const c of done.reverse()) {
    for (const [e, [f, t]] of edges.entries()) if (f === c && !back.has(e)) t.row = Math.max(t.row, c.row + 1);
  }
  for (const c of cells) {
    const box = c.box as Box;
    c.w = Math.ceil(Math.max(box.title.length * TITLE, ...lines(box).map((l) => l.length * BODY)) * EM + 2 * PAD);
    // An input sits just above its first reader, as graphviz ranks it.
    const readers = edges.filter(([f]) => f === c).map(([, t]) => t.row);
    if (box.title.endsWith(' (InputLayer)') && readers.length) c.row = Math.min(...readers) - 1;
  }

  const rows: Cell[][] = Array.from({ length: Math.max(0, ...cells.map((c) => c.row)) + 1 }, () => []);
  for (const c of cells) rows[c.row]?.push(c);
  // Each forward arrow: its source, a lane in every row it skips, its target.
  const paths = edges.map(([f, t], e) => {
    if (back.has(e)) return null;
    const path = [f];
    for (let row = f.row + 1; row < t.row; row++) {
      const lane: Cell = { w: LANE, row, x: 0, preds: [path[path.length - 1] as Cell] };
      rows[row]?.push(lane);
      path.push(lane);
    }
    t.preds.push(path[path.length - 1] as Cell);
    return [...path, t];
  });
  // Order each row by the mean centre of what feeds it (a cell fed by nothing keeps its place), then centre it.
  const centre = (c: Cell) => c.x + c.w / 2;
  const spread = (row: Cell[]) => {
    let x = -(sum(row.map((c) => c.w)) + GAP_X * (row.length - 1)) / 2;
    for (const c of row) [c.x, x] = [x, x + c.w + GAP_X];
  };
  for (const row of rows) {
    spread(row);
    const key = new Map(row.map((c) => [c, c.preds.length ? sum(c.preds.map(centre)) / c.preds.length : centre(c)]));
    row.sort((a, b) => (key.get(a) as number) - (key.get(b) as number));
    spread(row);
  }
  const left = Math.min(...rows.flat().map((c) => c.x));
  const right = Math.max(...rows.flat().map((c) => c.x + c.w)) + (back.size ? 30 + 16 * back.size : 0);
  const top = (c: Cell) => MARGIN + c.row * (BOX_H + GAP_Y);
  const X = (x: number) => (x - left + MARGIN).toFixed(1);
  const Y = (y: number) => y.toFixed(1);

  // Ports: a box's arrows leave its bottom and enter its top spread out, in the order of their other ends.
  const ports = new Map<string, number>();
  for (const c of cells) {
    for (const side of ['out', 'in'] as const) {
      const ends = paths.flatMap((p, e) => {
        const [mine, other] = side === 'out' ? [p?.[0], p?.[1]] : [p?.[p.length - 1], p?.[p.length - 2]];
        return mine === c && other ? [[e, centre(other)] as const] : [];
      });
      ends.sort((a, b) => a[1] - b[1]);
      for (const [i, [e]] of ends.entries()) ports.set(`${side}${e}`, c.x + (c.w * (i + 1)) / (ends.length + 1));
    }
  }
  const arrows = edges.map(([a, b], e) => {
    const attrs = `class="edge" data-from="${xml(a.box?.name ?? '')}" data-to="${xml(b.box?.name ?? '')}"`;
    const path = paths[e];
    if (!path) {
      const k = 30 + 16 * [...back].indexOf(e);
      const [sx, sy, tx, ty] = [X(a.x + a.w), Y(top(a) + BOX_H * 0.7), X(b.x + b.w), Y(top(b) + BOX_H * 0.3)];
      return `<path ${attrs} d="M${sx} ${sy} C${X(a.x + a.w + k)} ${sy} ${X(b.x + b.w + k)} ${ty} ${tx} ${ty}"/>`;
    }
    let [x, y] = [ports.get(`out${e}`) as number, top(a) + BOX_H];
    let d = `M${X(x)} ${Y(y)}`;
    for (const c of path.slice(1)) {
      const nx = c.box ? (ports.get(`in${e}`) as number) : centre(c);
      const [ny, my] = [top(c), (y + top(c)) / 2];
      d += ` C${X(x)} ${Y(my)} ${X(nx)} ${Y(my)} ${X(nx)} ${Y(ny)}`;
      [x, y] = [nx, top(c) + BOX_H];
      if (!c.box) d += ` L${X(x)} ${Y(y)}`;
    }
    return `<path ${attrs} d="${d}"/>`;
  });

  const shapes = cells.map((c) => {
    const [x, y, w, box] = [c.x - left + MARGIN, top(c), c.w, c.box as Box];
    const text = (s: string, ty: number, size: number, extra = '') =>
      `<text x="${(x + w / 2).toFixed(1)}" y="${Y(ty)}" font-size="${size}" text-anchor="middle"${extra}>${xml(s)}</text>`;
    return [
      `<g class="node" data-name="${xml(box.name)}">`,
      `<rect x="${x.toFixed(1)}" y="${Y(y)}" width="${w}" height="${BOX_H}" fill="#ffffff" stroke="#222222"/>`,
      `<rect x="${x.toFixed(1)}" y="${Y(y)}" width="${w}" height="${HEAD}" fill="#222222"/>`,
      text(box.title, y + HEAD / 2 + TITLE * 0.35, TITLE, ' font-weight="bold" fill="#ffffff"'),
      ...lines(box).map((l, i) => text(l, y + HEAD + 5 + LINE * (i + 0.5) + BODY * 0.35, BODY)),
      '</g>',
    ].join('');
  });
  const [W, H] = [Math.ceil(right - left + 2 * MARGIN), rows.length * (BOX_H + GAP_Y) - GAP_Y + 2 * MARGIN];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`,
    `<title>${xml(name)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">',
    '<path d="M0 0L10 5L0 10z" fill="#222222"/></marker></defs>',
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    '<g fill="none" stroke="#222222" stroke-width="1.3" marker-end="url(#arrow)">',
    ...arrows,
    '</g>',
    ...shapes,
    '</svg>',
    '',
  ].join('\n');
}
