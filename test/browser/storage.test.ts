import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@brickml/models';
import * as tf from '@tensorflow/tfjs-core';
import type { Browser, Download } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bundleForBrowser, describeInChromium, launchChromium, serveLocally } from './chromium.js';

describeInChromium('saving in a browser', () => {
  let server: Server;
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    const { script } = await bundleForBrowser(new URL('./storage-page.ts', import.meta.url));
    const page = '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>';
    ({ server, url } = await serveLocally((req, res) => {
      if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  test('IndexedDB, localStorage and downloads keep a compiled model with its optimizer; a path says it needs Node', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.goto(url);
    await page.waitForFunction(() => 'runStorageTest' in globalThis);
    const report = await page.evaluate(() =>
      (globalThis as unknown as { runStorageTest: () => Promise<Record<string, unknown>> }).runStorageTest(),
    );
    // downloads:// hands the browser model.json and the weights; saved side by side, they load in Node. The
    // second download's event can arrive after the page's promise settles on a loaded machine.
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual([
      'brickml-download.json',
      'brickml-download.weights.bin',
    ]);
    const folder = await mkdtemp(join(tmpdir(), 'brickml-downloads-'));
    try {
      for (const d of downloads) await d.saveAs(join(folder, d.suggestedFilename()));
      const model = await loadModel(join(folder, 'brickml-download.json'));
      const y = model.predict([[0.5, -1, 2]]) as tf.Tensor;
      expect(Array.from(await y.data())).toEqual(report.expected);
      expect(model.isCompiled).toBe(true);
      tf.dispose(y);
      model.dispose();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    expect(errors).toEqual([]);
    expect(report.backend).toBe('cpu');
    for (const store of ['indexeddb://brickml-storage', 'localstorage://brickml-storage']) {
      expect(report[store]).toEqual({ samePredictions: true, compiled: true, iterations: 3 });
    }
    expect(report.path).toMatch(/save: file paths need Node\.js/);
    await page.close();
  });
});
