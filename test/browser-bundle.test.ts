/**
 * The main entry of `brickml` bundles for browsers with no externals: no `node:` module, no Node builtin.
 * File paths are the Node entry's (package.json's "node" condition), which a browser build never takes.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

const entry = fileURLToPath(new URL('../packages/brickml/src/index.ts', import.meta.url));

async function bundle(platform: 'browser' | 'node') {
  return build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    conditions: ['source'],
    logLevel: 'silent',
    metafile: true,
  });
}

describe('the browser bundle', () => {
  test('esbuild bundles brickml for the browser with no externals and no Node module', async () => {
    const result = await bundle('browser');
    expect(result.errors).toEqual([]);
    const inputs = Object.entries(result.metafile.inputs);
    expect(inputs.map(([p]) => p).filter((p) => p.includes('node-file-system'))).toEqual([]);
    // Every import resolved into the bundle: none left outside it (a Node builtin would be).
    const external = inputs.flatMap(([, i]) => i.imports.filter((m) => m.external).map((m) => m.path));
    expect(external).toEqual([]);
  });

  test('the Node entry is the one that brings the file system', async () => {
    const inputs = Object.keys((await bundle('node')).metafile.inputs);
    expect(inputs.some((p) => p.includes('node-file-system'))).toBe(true);
  });
});
