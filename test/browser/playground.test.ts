import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '@brickml/models';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildPlayground } from '../../apps/playground/build.js';
import { bundleForBrowser, describeInChromium, launchChromium, serveLocally } from './chromium.js';

const screenshot = fileURLToPath(new URL('../../out/playground.png', import.meta.url));
const wasmDir = join(
  dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
  'dist',
);
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};

/** Console errors and uncaught exceptions of a page. */
function errorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

describeInChromium('the playground in a browser', () => {
  let server: Server;
  let browser: Browser;
  let site = '';
  let url = '';
  let fitScript = '';
  let externals: string[] = [];

  beforeAll(async () => {
    site = await mkdtemp(join(tmpdir(), 'brickml-playground-'));
    await buildPlayground(site);
    ({ script: fitScript, externals } = await bundleForBrowser(new URL('./wasm-fit-page.ts', import.meta.url)));
    const fitPage =
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/fit/page.js"></script>';
    ({ server, url } = await serveLocally(async (req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path === '/fit/') return res.writeHead(200, { 'content-type': 'text/html' }).end(fitPage);
      if (path === '/fit/page.js') return res.writeHead(200, { 'content-type': TYPES['.js'] }).end(fitScript);
      const file = path.startsWith('/wasm/')
        ? join(wasmDir, path.slice('/wasm/'.length))
        : join(site, normalize(path === '/' ? '/index.html' : path));
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (site) await rm(site, { recursive: true, force: true });
  });

  test('stack bricks, train one epoch on 6000 digits on wasm to over 85%, draw a digit, download spec and model', async () => {
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
    const errors = errorsOf(page);
    await page.goto(`${url}?backend=wasm`);
    await page.waitForSelector('#status[data-state="ready"]');
    expect(await page.textContent('#summary')).toContain('Total params: 101,770');

    // A bad value is an error at its field, and in the spec at its line; a good one builds the model.
    const units = page.locator('input[name="config.layers[0].config.units"]');
    await units.fill('0');
    await page.waitForSelector('#status[data-state="invalid"]');
    expect(await page.textContent('[data-path="config.layers[0].config.units"] .field-error')).toBe(
      'must be a positive integer, received 0',
    );
    expect(await page.textContent('#spec-errors')).toContain('line 12 · config.layers[0].config.units');
    await units.fill('128');
    await page.waitForSelector('#status[data-state="ready"]');

    // Stack: a Dense brick added before the output, the Dropout removed.
    await page.selectOption('#add-brick', 'Dense');
    await page.click('[data-testid="brick-1"] button[title="Remove"]');
    const spec = JSON.parse(await page.inputValue('#spec'));
    expect(spec.config.layers.map((l: { className: string }) => l.className)).toEqual(['Dense', 'Dense', 'Dense']);
    expect(await page.textContent('#summary')).toMatch(/dense_2 \(Dense\) +\(None, 64\)/);

    expect(await page.inputValue('#digits')).toBe('6000');
    await page.click('#train');
    await page.waitForSelector('#status[data-state="trained"]', { timeout: 60_000 });
    const accuracy = Number(await page.getAttribute('#accuracy', 'data-accuracy'));
    console.log(`playground: ${await page.textContent('#train-info')} ${(accuracy * 100).toFixed(1)}%`);
    expect(accuracy).toBeGreaterThan(0.85);
    expect(await page.textContent('#train-info')).toContain('on wasm');
    expect(await page.locator('#confusion td').count()).toBe(100);
    expect(await page.locator('#samples figure').count()).toBe(24);

    // A "1" drawn on the pad gets a prediction.
    const pad = await page.locator('#pad').boundingBox();
    if (!pad) throw new Error('no drawing pad');
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.85, { steps: 12 });
    await page.mouse.up();
    await expect.poll(() => page.textContent('#pad-prediction')).toMatch(/^\d$/);

    await mkdir(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });

    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    // The model first: Chromium lets a page start several downloads at once only before its first one.
    await page.click('#download-model');
    await expect.poll(() => downloads.length).toBe(2);
    await page.click('#download-spec');
    await expect.poll(() => downloads.length).toBe(3);
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual([
      'mnist_mlp.json',
      'mnist_mlp.spec.json',
      'mnist_mlp.weights.bin',
    ]);
    const saved = downloads.find((d) => d.suggestedFilename() === 'mnist_mlp.json') as Download;
    const artifacts = JSON.parse(await readFile(await saved.path(), 'utf8'));
    expect(artifacts.format).toBe('brickml');
    expect(artifacts.modelTopology.config.layers).toHaveLength(3);
    // vite's bundle leaves out tfjs' own downloads router (its module is not in tfjs-core's sideEffects
    // list); brickml's handler writes the same two files, which load in Node, compiled.
    const folder = await mkdtemp(join(tmpdir(), 'brickml-playground-'));
    try {
      for (const d of downloads) await d.saveAs(join(folder, d.suggestedFilename()));
      const model = await loadModel(join(folder, 'mnist_mlp.json'));
      expect(model.isCompiled).toBe(true);
      expect(model.countParams()).toBe(109_386);
      model.dispose();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  test('brickml bundled for the browser with no externals fits on wasm in a page', async () => {
    expect(externals).toEqual([]);
    const page = await browser.newPage();
    const errors = errorsOf(page);
    await page.goto(`${url}fit/`);
    await page.waitForFunction(() => 'runWasmFit' in globalThis);
    const report = await page.evaluate(() =>
      (globalThis as unknown as { runWasmFit: () => Promise<Record<string, unknown>> }).runWasmFit(),
    );
    expect(report.backend).toBe('wasm');
    const losses = report.losses as number[];
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) / 2);
    expect(report.accuracy).toBeGreaterThan(0.9);
    expect(errors).toEqual([]);
    await page.close();
  });
});
