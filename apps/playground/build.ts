/** Builds the page into `outDir` with vite's JS API and this folder's vite.config.ts (the browser test uses it). */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export async function buildPlayground(outDir: string): Promise<void> {
  const root = fileURLToPath(new URL('.', import.meta.url));
  await build({
    root,
    configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}
