import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@brickml/core';
import { afterAll, describe, expect, test } from 'vitest';
import { COMMAND_HELP, HELP, runCli, VERSION } from './commands.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'brickml-cli-'));
function specFile(units: unknown): string {
  const file = join(dir, `spec-${String(units)}.json`);
  const spec = {
    format: 'brickml.model',
    version: 1,
    className: 'Sequential',
    config: {
      name: 'tiny',
      inputShape: [4],
      layers: [
        { className: 'Dense', config: { units, activation: 'relu' } },
        { className: 'Dense', config: { units: 2 } },
      ],
    },
  };
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

/** Two inputs, a shared brick, a merge: a functional spec. `units` of the head lets a test make it invalid. */
function functionalFile(name: string, head: unknown = 1): string {
  const file = join(dir, `${name}.json`);
  const spec = {
    format: 'brickml.model',
    version: 1,
    className: 'Functional',
    config: {
      name,
      inputs: [
        { name: 'left', shape: [4] },
        { name: 'right', shape: [4] },
      ],
      layers: [
        { className: 'Dense', config: { name: 'shared', units: 3 }, inbound: [['left'], ['right']] },
        {
          className: 'Concatenate',
          config: { name: 'joined' },
          inbound: [
            [
              ['shared', 0, 0],
              ['shared', 1, 0],
            ],
          ],
        },
        { className: 'Dense', config: { name: 'head', units: head }, inbound: [['joined']] },
      ],
      outputs: ['head'],
    },
  };
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

describe('brickml CLI', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  test('--help prints the commands and exits 0', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toBe(HELP);
    for (const command of ['fit', 'evaluate', 'predict', 'summary', 'plot', 'convert', 'backends']) {
      expect(HELP).toContain(`  ${command} `);
    }
  });

  test('each command has its own help, by help <command> or <command> --help', async () => {
    for (const command of Object.keys(COMMAND_HELP)) {
      const [a, b] = [capture(), capture()];
      expect(await runCli(['help', command], a.io)).toBe(0);
      expect(await runCli([command, '--help'], b.io)).toBe(0);
      expect(a.out).toEqual([COMMAND_HELP[command]]);
      expect(b.out).toEqual(a.out);
      expect(a.out[0]).toMatch(new RegExp(`^Usage: brickml ${command}`));
    }
  });

  test('--version prints the version of the package', async () => {
    const c = capture();
    expect(await runCli(['--version'], c.io)).toBe(0);
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(c.out).toEqual([pkg.version]);
    expect(VERSION).toBe(pkg.version);
  });

  test('no command prints the help and exits 2', async () => {
    const c = capture();
    expect(await runCli([], c.io)).toBe(2);
    expect(c.out.join('\n')).toBe(HELP);
  });

  test('summary prints the table of the spec, with its parameter counts', async () => {
    const c = capture();
    expect(await runCli(['summary', specFile(3)], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/tiny/);
    // 4*3+3 = 15 and 3*2+2 = 8 parameters, 23 in all.
    expect(text).toMatch(/\b15\b/);
    expect(text).toMatch(/\b8\b/);
    expect(text).toMatch(/\b23\b/);
  });

  test('summary of a functional spec prints what each brick reads', async () => {
    const c = capture();
    expect(await runCli(['summary', functionalFile('siamese')], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/Connected to/);
    expect(text).toMatch(/shared \(Dense\)\s+\(None, 3\)\s+15\s+left\[0\]\[0\]/);
    expect(text).toMatch(/joined \(Concatenate\)\s+\(None, 6\)\s+0\s+shared\[0\]\[0\]\n\s+shared\[1\]\[0\]/);
    expect(text).toMatch(/Total params: 22/);
  });

  test('summary of an invalid functional spec names the brick and the field, and exits 1', async () => {
    const c = capture();
    expect(await runCli(['summary', functionalFile('broken', 0)], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/layers\[2\].*units/);
  });

  test('plot writes the picture beside the spec, named like it', async () => {
    const c = capture();
    const file = functionalFile('pictured');
    expect(await runCli(['plot', file], c.io)).toBe(0);
    const svg = readFileSync(join(dir, 'pictured.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\n$/);
    for (const title of ['left (InputLayer)', 'right (InputLayer)', 'shared (Dense)', 'joined (Concatenate)']) {
      expect(svg).toContain(`>${title}</text>`);
    }
    expect(svg.match(/class="edge"/g)).toHaveLength(5);
    expect(c.out).toEqual([`brickml plot: wrote ${join(dir, 'pictured.svg')}`]);
    // Written through a temporary file that is gone once the picture is in place.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('plot -o writes where it is told, and -o - writes to stdout', async () => {
    const c = capture();
    const file = specFile(3);
    const target = join(dir, 'chosen.svg');
    expect(await runCli(['plot', file, '-o', target], c.io)).toBe(0);
    expect(readFileSync(target, 'utf8')).toContain('>tiny_input (InputLayer)</text>');
    const s = capture();
    expect(await runCli(['plot', file, '-o', '-'], s.io)).toBe(0);
    expect(s.out).toHaveLength(1);
    expect(s.out[0]).toMatch(/^<svg [\s\S]*<\/svg>$/);
  });

  test('plot names what it could not read or write, and exits 1', async () => {
    const c = capture();
    expect(await runCli(['plot', join(dir, 'absent.json')], c.io)).toBe(1);
    const missing = join(dir, 'no-such-folder', 'out.svg');
    expect(await runCli(['plot', specFile(3), '-o', missing], c.io)).toBe(1);
    expect(existsSync(missing)).toBe(false);
    expect(await runCli(['plot', functionalFile('bad-plot', 0)], c.io)).toBe(1);
    const [read, write, spec] = c.err;
    expect(read).toMatch(/^brickml plot: could not read .*absent\.json \(ENOENT/);
    expect(write).toMatch(/^brickml plot: could not write .*out\.svg/);
    expect(spec).toMatch(/layers\[2\].*units/);
  });

  test('an option given to a command that does not take it, or a value it does not know, exits 2', async () => {
    const c = capture();
    expect(await runCli(['summary', specFile(3), '-o', 'x.svg'], c.io)).toBe(2);
    expect(await runCli(['plot', specFile(3), '--backend', 'cpu'], c.io)).toBe(2);
    expect(await runCli(['convert', 'a', 'b', '--format', 'onnx'], c.io)).toBe(2);
    expect(await runCli(['fit', 'a.json', '--backend', 'gpu'], c.io)).toBe(2);
    expect(await runCli(['fit', 'a.json', '--epochs', '3'], c.io)).toBe(2);
    expect(c.err.map((e) => e.split('\n')[0])).toEqual([
      'brickml summary: --output applies to plot and predict only',
      'brickml plot: --backend applies to fit, evaluate and predict only',
      "brickml convert: --format must be one of brickml, tfjs, keras, received 'onnx'",
      "brickml fit: --backend must be one of cpu, wasm, webgpu, tensorflow, auto, received 'gpu'",
      "brickml: Unknown option '--epochs'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--epochs\"",
    ]);
  });

  test('summary of an invalid spec names the field and exits 1', async () => {
    const c = capture();
    expect(await runCli(['summary', specFile(0)], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/units/);
  });

  test('summary of a missing file says it could not read it', async () => {
    const c = capture();
    expect(await runCli(['summary', join(dir, 'nope.json')], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/could not read .*nope\.json/);
  });

  test('an unknown command or a wrong argument count exits 2', async () => {
    const c = capture();
    expect(await runCli(['fly'], c.io)).toBe(2);
    expect(await runCli(['summary'], c.io)).toBe(2);
    expect(await runCli(['plot', 'a.json', 'b.json'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(
      /unknown command 'fly'[\s\S]*summary: wrong number of arguments, received 0[\s\S]*plot: wrong number of arguments, received 2/,
    );
  });

  test('backends lists every backend and loads cpu', async () => {
    const c = capture();
    expect(await runCli(['backends'], c.io)).toBe(0);
    const lines = c.out;
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['cpu', 'wasm', 'webgpu', 'tensorflow']);
    expect(lines[0]).toMatch(/^cpu\s+ok$/);
  });
});
