/** The file system on node:fs (Node entry only): writes are flushed before a rename, renames flush the folder. */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileSystem } from './file-system.js';

async function flushFolder(dir: string): Promise<void> {
  // Some platforms (Windows) cannot open a folder to flush it; the rename itself is still atomic there.
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

export const nodeFileSystem: FileSystem = {
  readFile: async (path) => new Uint8Array(await readFile(path)),
  async writeFile(path, bytes) {
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async rename(from, to) {
    await rename(from, to);
    await flushFolder(dirname(to));
  },
  readdir: (dir) => readdir(dir).catch((e) => (e?.code === 'ENOENT' ? [] : Promise.reject(e))),
  remove: (path) => rm(path, { force: true }),
  mkdir: async (dir) => {
    await mkdir(dir, { recursive: true });
  },
  async kind(path) {
    const s = await stat(path).catch((e) => (e?.code === 'ENOENT' ? null : Promise.reject(e)));
    return s === null ? null : s.isDirectory() ? 'dir' : 'file';
  },
  join,
  dirname,
  basename,
};
