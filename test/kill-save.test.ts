/**
 * A save killed at any moment leaves the old model or the new one, whole. A child process saves model B over
 * model A and SIGKILLs itself at its k-th file operation (a write cut after half its bytes), for every k
 * until the save completes; each time the folder must load as A or as B, and the next save must leave it clean.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setSeed } from '@brickml/core';
import { Dense } from '@brickml/layers';
import { loadModel, Sequential } from '@brickml/models';
import { weightValues } from '@brickml/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./fixtures/save-and-die.ts', import.meta.url));
const repo = fileURLToPath(new URL('../', import.meta.url));

/** Runs the child; the signal that ended it, or null when the save completed. */
async function saveAndDie(dir: string, killAt: number): Promise<string | null> {
  try {
    await run(process.execPath, ['--conditions=source', '--import', 'tsx', child, dir, String(killAt)], { cwd: repo });
    return null;
  } catch (e) {
    const { signal } = e as { signal?: string };
    if (signal) return signal;
    throw e;
  }
}

describe('a killed save', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'brickml-kill-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  test('leaves the old model or the new one at every file operation, and the next save cleans up', async () => {
    setSeed(1);
    const a = new Sequential({ name: 'a', inputShape: [4], layers: [new Dense({ name: 'd', units: 3 })] });
    const expectedA = await weightValues(a);
    const reference = join(root, 'reference');
    expect(await saveAndDie(reference, Number.MAX_SAFE_INTEGER)).toBeNull();
    const b = await loadModel(reference);
    const expectedB = await weightValues(b);
    b.dispose();

    const seen: string[] = [];
    for (let k = 0; k < 20; k++) {
      const dir = join(root, `k${k}`);
      await a.save(dir);
      const signal = await saveAndDie(dir, k);
      const loaded = await loadModel(dir);
      const got = await weightValues(loaded);
      seen.push(loaded.name);
      expect(got).toEqual(loaded.name === 'a' ? expectedA : expectedB);
      loaded.dispose();
      await a.save(dir);
      expect((await readdir(dir)).sort()).toEqual([
        'model.json',
        expect.stringMatching(/^weights\.[0-9a-f]{16}\.bin$/),
      ]);
      if (signal === null) break;
      expect(signal).toBe('SIGKILL');
    }
    // Killed before model.json's rename it is A, after it B; the last run completed.
    const firstB = seen.indexOf('b');
    expect(firstB).toBeGreaterThanOrEqual(4);
    expect(seen.slice(0, firstB).every((n) => n === 'a')).toBe(true);
    expect(seen.slice(firstB).every((n) => n === 'b')).toBe(true);
    expect(seen.length).toBeGreaterThan(firstB + 1);
    a.dispose();
  });
});
