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
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((p) => p.startsWith('node:') || p.includes('node-file-system'))).toEqual([]);
    const text = result.outputFiles.map((f) => f.text).join('\n');
    expect(text).not.toMatch(/from\s*["']node:|import\(\s*["']node:|require\(\s*["'](node:)?(fs|path|crypto|os)["']\)/);
  });

  test('the Node entry is the one that brings the file system', async () => {
    const inputs = Object.keys((await bundle('node')).metafile.inputs);
    expect(inputs.some((p) => p.includes('node-file-system'))).toBe(true);
  });
});
