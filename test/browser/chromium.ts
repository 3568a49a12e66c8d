/**
 * Headless Chromium for the browser tests: Debian's `chromium` package (CHROMIUM_PATH overrides its path),
 * driven by playwright-core, which never downloads a browser of its own. CI installs Chromium and must run
 * these tests; elsewhere a machine without it skips them, saying why.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { describe } from 'vitest';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `describe` when Chromium is here or in CI (where its absence must fail), else `describe.skip`. */
export function describeInChromium(name: string, body: () => void): void {
  const found = existsSync(executablePath);
  const run = found || process.env.CI ? describe : describe.skip;
  run(`${name}${found ? '' : ` (no Chromium at ${executablePath})`}`, body);
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
