import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './commands.js';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'train-from-json', 'mnist-mlp.json');

describe('examples/train-from-json', () => {
  test('brickml fit trains the MNIST MLP of mnist-mlp.json to a test accuracy over 70% after one epoch on 2000 digits', async () => {
    const spec = JSON.parse(readFileSync(example, 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'brickml-example-'));
    // The example as it is, cut short: 2000 training digits, one epoch, on wasm (cpu would take a minute), written to a temporary folder.
    const short = {
      ...spec,
      $schema: undefined,
      fit: { ...spec.fit, epochs: 1 },
      data: {
        train: { ...spec.data.train, limit: 2000 },
        validation: { ...spec.data.validation, limit: 200 },
        test: { kind: 'mnist', split: 'test', limit: 300 },
      },
      backend: 'wasm',
      output: { model: join(dir, 'model'), history: join(dir, 'history.svg') },
    };
    writeFileSync(join(dir, 'train.json'), JSON.stringify(short));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['fit', join(dir, 'train.json')], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      progress: { write() {} },
    });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const accuracy = Number(/accuracy: ([\d.]+)/.exec(out.find((l) => l.startsWith('test: ')) ?? '')?.[1]);
    expect(accuracy).toBeGreaterThan(0.7);
  });
});
