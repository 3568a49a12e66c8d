/** The file system on node:fs (Node entry only): writes are flushed before a rename, renames flush the folder. */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { FileSystem } from './file-system.js';

// Windows cannot open or flush a folder (EISDIR, EPERM); some file systems refuse to flush one (EINVAL).
// The rename is still atomic there, only its durability across a power cut is the system's to give.
const UNFLUSHABLE = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL']);
const unlessUnflushable = (e: { code?: string }) => (UNFLUSHABLE.has(e?.code ?? '') ? null : Promise.reject(e));

async function flushFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(unlessUnflushable);
  if (!handle) return;
  try {
    await handle.sync().catch(unlessUnflushable);
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
  async mkdir(dir) {
    // The first folder made is the one whose entry its parent must flush to survive a power cut.
    const first = await mkdir(dir, { recursive: true });
    if (first !== undefined) await flushFolder(dirname(first));
  },
  async kind(path) {
    const s = await stat(path).catch((e) => (e?.code === 'ENOENT' ? null : Promise.reject(e)));
    return s === null ? null : s.isDirectory() ? 'dir' : 'file';
  },
  join,
  resolve,
  dirname,
  basename,
};
