import { Add, Concatenate, Dense, Flatten, input, Subtract } from '@brickml/layers';
import { describe, expect, test } from 'vitest';
import { Model } from './model.js';
import { Sequential } from './sequential.js';

/** Each box: its name, where its rectangle sits, and the lines written in it. */
function boxes(svg: string) {
  const found = svg.matchAll(
    /<g class="node" data-name="([^"]*)"><rect x="([\d.]+)" y="([\d.]+)" width="(\d+)"(.*?)<\/g>/g,
  );
  return [...found].map(([, name, x, y, w, rest]) => ({
    name: name as string,
    x: Number(x),
    y: Number(y),
    w: Number(w),
    text: [...(rest as string).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
  }));
}

/** Each arrow, as [producer, consumer]. */
const arrows = (svg: string) =>
  [...svg.matchAll(/<path class="edge" data-from="([^"]*)" data-to="([^"]*)"/g)].map((m) => `${m[1]} -> ${m[2]}`);

/** Fails unless the document is well-formed XML: tags nested and closed, attributes quoted, `&` and `<` escaped. */
function expectWellFormed(svg: string) {
  const open: string[] = [];
  const escaped = /^(?:[^<>&"]|&(?:amp|lt|gt|quot|#39);)*$/;
  for (const part of svg.split(/(<[^>]*>)/)) {
    if (!part.startsWith('<')) {
      expect(part, 'text').toMatch(escaped);
      continue;
    }
    const tag = /^<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>$/.exec(part);
    expect(tag, part).not.toBeNull();
    const [, closing, name, attrs, selfClosing] = tag as RegExpExecArray;
    for (const [, value] of (attrs as string).matchAll(/="([^"]*)"/g)) expect(value, part).toMatch(escaped);
    if (closing) expect(open.pop(), part).toBe(name);
    else if (!selfClosing) open.push(name as string);
  }
  expect(open).toEqual([]);
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
}

/** Two inputs through a shared brick into a merge, and two outputs (the graph of the functional tests). */
function towers() {
  const a = input({ shape: [4], name: 'a' });
  const b = input({ shape: [4], name: 'b' });
  const shared = new Dense({ units: 3, name: 'shared' });
  const sa = shared.apply(a);
  const joined = new Concatenate({ name: 'joined' }).apply([sa, shared.apply(b)]);
  const left = new Dense({ units: 2, name: 'left' }).apply(joined);
  const right = new Dense({ units: 1, name: 'right' }).apply(sa);
  return new Model({ inputs: [a, b], outputs: [left, right], name: 'towers' });
}

describe('model.toSVG', () => {
  test('draws one box per input and brick, headed with its name and class over its shapes', () => {
    const model = towers();
    const svg = model.toSVG();
    const found = boxes(svg);
    expect(found.map((b) => b.name).sort()).toEqual(['a', 'b', 'joined', 'left', 'right', 'shared']);
    const text = (name: string) => found.find((b) => b.name === name)?.text;
    expect(text('a')).toEqual(['a (InputLayer)', 'Input shape: (None, 4)', 'Output shape: (None, 4)']);
    expect(text('shared')).toEqual(['shared (Dense)', 'Input shape: (None, 4)', 'Output shape: (None, 3)']);
    expect(text('joined')).toEqual([
      'joined (Concatenate)',
      'Input shape: [(None, 3), (None, 3)]',
      'Output shape: (None, 6)',
    ]);
    model.dispose();
  });

  test('draws one arrow per tensor a brick reads, from its producer', () => {
    const model = towers();
    expect(arrows(model.toSVG()).sort()).toEqual([
      'a -> shared',
      'b -> shared',
      'joined -> left',
      'shared -> joined',
      'shared -> joined',
      'shared -> right',
    ]);
    model.dispose();
  });

  test('is well-formed XML and self-contained', () => {
    const model = towers();
    const svg = model.toSVG();
    expectWellFormed(svg);
    expect(svg).not.toMatch(/href="http|@import|url\((?!#)/);
    model.dispose();
  });

  test('escapes XML special characters in names', () => {
    const x = input({ shape: [2], name: `in<&>"'` });
    const y = new Dense({ units: 1, name: 'a&b<c>' }).apply(x);
    const model = new Model({ inputs: x, outputs: y, name: 'odd & <names>' });
    const svg = model.toSVG();
    expectWellFormed(svg);
    expect(svg).toContain('<title>odd &amp; &lt;names&gt;</title>');
    expect(boxes(svg).map((b) => b.text[0])).toEqual([
      'in&lt;&amp;&gt;&quot;&#39; (InputLayer)',
      'a&amp;b&lt;c&gt; (Dense)',
    ]);
    model.dispose();
  });

  test('puts each brick below the bricks it reads, and centres each row', () => {
    const model = towers();
    const svg = model.toSVG();
    const at = new Map(boxes(svg).map((b) => [b.name, b]));
    for (const arrow of arrows(svg)) {
      const [from, to] = arrow.split(' -> ');
      expect(at.get(to as string)?.y, arrow).toBeGreaterThan(at.get(from as string)?.y as number);
    }
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const rows = new Map<number, { x: number; w: number }[]>();
    for (const b of at.values()) rows.set(b.y, [...(rows.get(b.y) ?? []), b]);
    for (const row of rows.values()) {
      const middle = (Math.min(...row.map((b) => b.x)) + Math.max(...row.map((b) => b.x + b.w))) / 2;
      expect(Math.abs(middle - width / 2)).toBeLessThan(2);
    }
    // a and b side by side on top, then shared, then joined and right, then left.
    expect(rows.size).toBe(4);
    model.dispose();
  });

  test('a Sequential draws a chain from its input', () => {
    const model = new Sequential({
      name: 'chain',
      inputShape: [28, 28, 1],
      layers: [new Flatten({ name: 'flat' }), new Dense({ units: 10, name: 'probs' })],
    });
    const svg = model.toSVG();
    expectWellFormed(svg);
    const found = boxes(svg);
    expect(found.map((b) => b.text[0])).toEqual(['chain_input (InputLayer)', 'flat (Flatten)', 'probs (Dense)']);
    expect(found[1]?.text.slice(1)).toEqual(['Input shape: (None, 28, 28, 1)', 'Output shape: (None, 784)']);
    expect(arrows(svg)).toEqual(['chain_input -> flat', 'flat -> probs']);
    expect(found.map((b) => b.y)).toEqual([...found.map((b) => b.y)].sort((p, q) => p - q));
    model.dispose();
  });

  test('a Sequential not yet built draws its shapes as unknown', () => {
    const model = new Sequential({ name: 'later', layers: [new Dense({ units: 2, name: 'd' })] });
    expect(boxes(model.toSVG())[1]?.text.slice(1)).toEqual(['Input shape: ?', 'Output shape: ?']);
  });

  test('a nested model is one box labelled with its class, whatever the number of calls', () => {
    const encoder = new Sequential({ name: 'encoder', inputShape: [8], layers: [new Dense({ units: 4 })] });
    const l = input({ shape: [8], name: 'l' });
    const r = input({ shape: [8], name: 'r' });
    const diff = new Subtract({ name: 'diff' }).apply([encoder.apply(l) as never, encoder.apply(r) as never]);
    const model = new Model({ inputs: [l, r], outputs: diff, name: 'siamese' });
    const svg = model.toSVG();
    expect(boxes(svg).map((b) => b.text[0])).toEqual([
      'l (InputLayer)',
      'r (InputLayer)',
      'encoder (Sequential)',
      'diff (Subtract)',
    ]);
    expect(arrows(svg).sort()).toEqual(['encoder -> diff', 'encoder -> diff', 'l -> encoder', 'r -> encoder']);
    model.dispose();
  });

  test('a brick that reads its own output gets an arrow back to itself', () => {
    const x = input({ shape: [3], name: 'x' });
    const twice = new Dense({ units: 3, name: 'twice' });
    const once = twice.apply(x);
    const y = new Add({ name: 'sum' }).apply([once, twice.apply(once)]);
    const model = new Model({ inputs: x, outputs: y, name: 'loop' });
    const svg = model.toSVG();
    expectWellFormed(svg);
    expect(arrows(svg).sort()).toEqual(['twice -> sum', 'twice -> sum', 'twice -> twice', 'x -> twice']);
    expect(boxes(svg).map((b) => b.name)).toEqual(['x', 'twice', 'sum']);
    model.dispose();
  });
});
