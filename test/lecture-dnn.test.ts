import { readFileSync } from 'node:fs';
import { Sequential } from '@brickml/models';
import { expect, test } from 'vitest';

test("the lecture's typical DNN builds from its spec with the table's shapes", () => {
  const spec = JSON.parse(readFileSync(new URL('../examples/typical-dnn/typical-dnn.json', import.meta.url), 'utf8'));
  const model = Sequential.fromSpec(spec);
  const shapes = model.layers.map((l) => l.outputShape);
  expect(shapes).toEqual([
    [124, 124, 6],
    [62, 62, 6],
    [60, 60, 12],
    [30, 30, 12],
    [28, 28, 20],
    [14, 14, 20],
    [12, 12, 40],
    [6, 6, 40],
    [1440],
    [512],
    [512],
    [256],
    [256],
    [1],
  ]);
  const text = model.summary(() => {});
  expect(text).toContain('(None, 124, 124, 6)');
  expect(text).toContain('(None, 6, 6, 40)');
  model.dispose();
});
