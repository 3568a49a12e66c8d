import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import '../node.js';
import { CSVLogger } from './csv-logger.js';

describe('CSVLogger', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'brickml-csv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes a header and one row per epoch, with sorted keys', async () => {
    const filename = join(dir, 'log.csv');
    const cb = new CSVLogger({ filename });
    await cb.onTrainBegin();
    await cb.onEpochEnd(0, { val_loss: 0.7, loss: 0.5, accuracy: 0.8 });
    expect(await readFile(filename, 'utf8')).toBe('epoch,accuracy,loss,val_loss\n0,0.8,0.5,0.7\n');
    await cb.onEpochEnd(1, { val_loss: 0.6, loss: 0.4, accuracy: 0.9 });
    expect(await readFile(filename, 'utf8')).toBe('epoch,accuracy,loss,val_loss\n0,0.8,0.5,0.7\n1,0.9,0.4,0.6\n');
  });

  test('replaces the file by rename and leaves no temporary file behind', async () => {
    const sub = await mkdtemp(join(dir, 'atomic-'));
    const filename = join(sub, 'log.csv');
    await writeFile(filename, 'old contents\n');
    const cb = new CSVLogger({ filename, separator: ';' });
    await cb.onTrainBegin();
    // Until the first epoch ends, the old file is intact; afterwards it is wholly the new one.
    expect(await readFile(filename, 'utf8')).toBe('old contents\n');
    await cb.onEpochEnd(0, { loss: 1 });
    expect(await readFile(filename, 'utf8')).toBe('epoch;loss\n0;1\n');
    expect(await readdir(sub)).toEqual(['log.csv']);
  });

  test('append keeps earlier rows and their header, writing NA for missing keys', async () => {
    const filename = join(dir, 'append.csv');
    const first = new CSVLogger({ filename });
    await first.onTrainBegin();
    await first.onEpochEnd(0, { loss: 1, val_loss: 2 });
    const second = new CSVLogger({ filename, append: true });
    await second.onTrainBegin();
    await second.onEpochEnd(1, { loss: 0.5 });
    expect(await readFile(filename, 'utf8')).toBe('epoch,loss,val_loss\n0,1,2\n1,0.5,NA\n');
  });

  test('rejects a missing filename', () => {
    expect(() => new CSVLogger({} as never)).toThrow(/CSVLogger: filename/);
  });
});
