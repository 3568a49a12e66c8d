import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '@brickml/core';
import { afterAll, describe, expect, test } from 'vitest';
import { HELP, runCli } from './commands.js';

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

describe('brickml CLI', () => {
  afterAll(async () => {
    await useBackend('cpu');
  });

  test('--help prints the commands and exits 0', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toBe(HELP);
    expect(HELP).toMatch(/summary <spec\.json>/);
    expect(HELP).toMatch(/backends/);
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
    expect(c.err.join('\n')).toMatch(/unknown command 'fly'[\s\S]*summary: wrong number of arguments, received 0/);
  });

  test('backends lists every backend and loads cpu', async () => {
    const c = capture();
    expect(await runCli(['backends'], c.io)).toBe(0);
    const lines = c.out;
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['cpu', 'wasm', 'webgpu', 'tensorflow']);
    expect(lines[0]).toMatch(/^cpu\s+ok$/);
  });
});
