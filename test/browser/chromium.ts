/**
 * Headless Chromium for the browser tests: Debian's `chromium` package (CHROMIUM_PATH overrides its path),
 * driven by playwright-core, which never downloads a browser of its own. CI installs Chromium and must run
 * these tests; elsewhere a machine without it skips them, saying why.
 */
import { existsSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { describe } from 'vitest';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `describe` when Chromium is here or in CI (where its absence must fail), else `describe.skip`. */
export function describeInChromium(name: string, body: () => void): void {
  const found = existsSync(executablePath);
  const run = found || process.env.CI ? describe : describe.skip;
  run(`${name}${found ? '' : ` (no Chromium at ${executablePath})`}`, body);
}

/** Serves `handler` on a free port of 127.0.0.1; `url` ends with '/'. */
export async function serveLocally(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Launches Chromium without the background connections a machine with no network refuses. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is not at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/**
 * A page's script bundled for the browser as an ES module, resolving the workspace packages from their
 * sources, with the imports esbuild left external (none, for a bundle that stands alone).
 */
export async function bundleForBrowser(entry: URL): Promise<{ script: string; externals: string[] }> {
  const bundle = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['source'],
    logLevel: 'silent',
    metafile: true,
  });
  const externals = Object.values(bundle.metafile.inputs).flatMap((i) =>
    i.imports.filter((m) => m.external).map((m) => m.path),
  );
  return { script: bundle.outputFiles[0]?.text ?? '', externals };
}
