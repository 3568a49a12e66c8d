import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { Browser, Download } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeInChromium, launchChromium, serveLocally } from './chromium.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const docPath = fileURLToPath(new URL('../../docs/browser.md', import.meta.url));
const wasmDir = join(
  dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')),
  'dist',
);

interface Block {
  section: string;
  code: string;
}

/** The doc's ```ts blocks, each with the title of the section it is in. */
async function docBlocks(): Promise<Block[]> {
  const text = await readFile(docPath, 'utf8');
  const blocks: Block[] = [];
  let section = '';
  for (const part of text.split(/^(```ts\n[\s\S]*?^```)$/m)) {
    if (part.startsWith('```ts\n')) blocks.push({ section, code: part.slice('```ts\n'.length, -'```'.length) });
    else section = [...part.matchAll(/^## (.+)$/gm)].at(-1)?.[1] ?? section;
  }
  return blocks;
}

/** What vite's `?url` import gives: the URL where the built app serves a copy of the file. */
const assetUrls: Plugin = {
  name: 'asset-urls',
  setup(b) {
    b.onResolve({ filter: /\?url$/ }, (args) => ({ path: basename(args.path.slice(0, -4)), namespace: 'asset-url' }));
    b.onLoad({ filter: /.*/, namespace: 'asset-url' }, (args) => ({
      contents: `export default ${JSON.stringify(`/assets/${args.path}`)};`,
      loader: 'js',
    }));
  },
};

/** Serves `doc:<n>` as the doc's n-th block, as if it were a file of the app. */
function docModules(blocks: Block[]): Plugin {
  return {
    name: 'doc-blocks',
    setup(b) {
      b.onResolve({ filter: /^doc:/ }, (args) => ({ path: args.path.slice(4), namespace: 'doc' }));
      b.onLoad({ filter: /.*/, namespace: 'doc' }, (args) => ({
        contents: blocks[Number(args.path)]?.code ?? '',
        loader: 'ts',
        resolveDir: here,
      }));
    },
  };
}

async function bundle(entry: string, blocks: Block[]) {
  return build({
    stdin: { contents: entry, resolveDir: here, sourcefile: 'page.ts', loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    logLevel: 'silent',
    plugins: [assetUrls, docModules(blocks)],
  });
}

describe('docs/browser.md', () => {
  test('every ts block type-checks as a browser module of a vite app', async () => {
    const blocks = await docBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const { options, errors } = ts.convertCompilerOptionsFromJson(
      {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        customConditions: ['source'],
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: [],
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        noEmit: true,
        moduleDetection: 'force',
      },
      here,
    );
    expect(errors).toEqual([]);
    // Each block is a module of its own; the ambient file is what `/// <reference types="vite/client" />` declares.
    const virtual = new Map<string, string>(blocks.map((b, i) => [join(here, `browser-doc-${i}.ts`), b.code]));
    const viteEnv = join(here, 'browser-doc-vite-env.d.ts');
    virtual.set(viteEnv, "declare module '*?url' {\n  const url: string;\n  export default url;\n}\n");
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile: read } = host;
    host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
    host.readFile = (f) => virtual.get(f) ?? read.call(host, f);
    host.getSourceFile = (f, language, ...rest) => {
      const code = virtual.get(f);
      return code === undefined
        ? getSourceFile.call(host, f, language, ...rest)
        : ts.createSourceFile(f, code, language, true);
    };
    const program = ts.createProgram([...virtual.keys()], options, host);
    const diagnostics = [...virtual.keys()]
      .filter((f) => f !== viteEnv)
      .flatMap((f) => {
        const sf = program.getSourceFile(f);
        return sf ? [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)] : [];
      });
    const format = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => here, getNewLine: () => '\n' };
    expect(ts.formatDiagnostics(diagnostics, format)).toBe('');
  });

  test('every ts block bundles for the browser with every import inside the bundle', async () => {
    const blocks = await docBlocks();
    for (const [i, block] of blocks.entries()) {
      const result = await bundle(`import 'doc:${i}';`, blocks);
      expect(result.errors, block.section).toEqual([]);
      // No import left for the page to resolve: every module the block needs is in the bundle.
      expect(result.outputFiles?.[0]?.text).not.toMatch(/^import\s/m);
    }
  });
});

/** The headers docs/browser.md gives vite's servers for a cross-origin isolated page (its ```js block). */
async function isolationHeaders(): Promise<Record<string, string>> {
  const text = await readFile(docPath, 'utf8');
  const object = /^```js\nconst isolation = (\{.*\});$/m.exec(text)?.[1] ?? '{}';
  return JSON.parse(object.replaceAll("'", '"'));
}

describeInChromium('docs/browser.md in a browser', () => {
  let server: Server;
  let browser: Browser;
  let url = '';
  let folder = '';
  const requested: string[] = [];

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'brickml-browser-doc-'));
    const blocks = await docBlocks();
    const main = blocks.findIndex((b) => b.section === 'Train, predict and save');
    const picker = blocks.findIndex((b) => b.code.includes('browserFiles'));
    expect([main, picker].every((i) => i >= 0)).toBe(true);
    // The page runs the whole-page block, then the file picker's, then exposes brickml's loadModel and tfjs
    // (the same copies, in the same bundle) to the test.
    const entry = [
      `import 'doc:${main}';`,
      `import 'doc:${picker}';`,
      "import * as tf from '@tensorflow/tfjs-core';",
      "import { loadModel } from 'brickml';",
      'Object.assign(globalThis, { docPage: { tf, loadModel } });',
    ].join('\n');
    const result = await bundle(entry, blocks);
    const isolation = await isolationHeaders();
    expect(Object.keys(isolation).sort()).toEqual(['Cross-Origin-Embedder-Policy', 'Cross-Origin-Opener-Policy']);
    const script = result.outputFiles?.[0]?.text ?? '';
    const page =
      '<!doctype html><meta charset="utf-8"><input type="file" id="model-files" multiple>' +
      '<script type="module" src="/page.js"></script>';
    ({ server, url } = await serveLocally((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      requested.push(path);
      if (path === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else if (path.startsWith('/assets/') && path.endsWith('.wasm')) {
        readFile(join(wasmDir, basename(path))).then(
          (bytes) => res.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes),
          () => res.writeHead(404).end(),
        );
      } else if (path.startsWith('/models/')) {
        readFile(join(folder, basename(path))).then(
          (bytes) => res.writeHead(200).end(bytes),
          () => res.writeHead(404).end(),
        );
      } else if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      else if (path === '/isolated/') res.writeHead(200, { 'content-type': 'text/html', ...isolation }).end(page);
      else res.writeHead(404).end();
    }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Opens the page at `path` and waits until the doc's blocks have run; a page error ends the wait at once. */
  async function openDocPage(path: string) {
    requested.length = 0;
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    const failed = new Promise<never>((_, reject) =>
      page.on('pageerror', (e) => {
        errors.push(e.message);
        reject(e);
      }),
    );
    failed.catch(() => {});
    const logged: Promise<unknown[]>[] = [];
    page.on('console', (m) => logged.push(Promise.all(m.args().map((a) => a.jsonValue()))));
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.goto(`${url}${path}`);
    await Promise.race([page.waitForFunction(() => 'docPage' in globalThis, null, { timeout: 60_000 }), failed]);
    return { page, errors, logged, downloads };
  }

  test('the whole page trains on wasm, predicts, saves, loads back and downloads; the download loads back', async () => {
    const { page, errors, logged, downloads } = await openDocPage('');
    await expect.poll(() => downloads.length).toBe(2);
    expect(errors).toEqual([]);

    const lines = await Promise.all(logged);
    expect(lines).toContainEqual(['training on wasm']);
    // setWasmPaths took effect: the binary came from where the ?url imports said, none from the page's folder.
    expect(requested.filter((p) => p.endsWith('.wasm'))).toEqual(['/assets/tfjs-backend-wasm-simd.wasm']);
    const losses = lines.flatMap((l) => {
      const m = /^epoch (\d+): loss (\d+\.\d+)$/.exec(String(l[0]));
      return m ? [Number(m[2])] : [];
    });
    expect(losses).toHaveLength(4);
    expect(losses.at(-1)).toBeLessThan(0.1);
    const [, predictions] = lines.find((l) => l[0] === 'predictions') ?? [];
    const [p01, p11] = predictions as number[];
    expect(p01).toBeGreaterThan(0.9); // near 1, then near 0, as the comment says
    expect(p11).toBeLessThan(0.1);

    // downloads:// gave xor.json and xor.weights.bin: the user picks them in the file input...
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(['xor.json', 'xor.weights.bin']);
    for (const d of downloads) await d.saveAs(join(folder, d.suggestedFilename()));
    const before = lines.length;
    await page.setInputFiles('#model-files', [join(folder, 'xor.json'), join(folder, 'xor.weights.bin')]);
    await expect
      .poll(async () => (await Promise.all(logged.slice(before))).some((l) => /Total params: 33\b/.test(String(l[0]))))
      .toBe(true);
    // ...or the app serves them: through tfjs' http handler or as a full URL; a bare path is a file path.
    const fromServer = await page.evaluate(async () => {
      const { tf, loadModel } = (globalThis as unknown as { docPage: DocPage }).docPage;
      const viaHttp = await loadModel(tf.io.http('/models/xor.json'));
      const viaUrl = await loadModel(
        new URL('/models/xor.json', (globalThis as unknown as { location: URL }).location.href).href,
      );
      const bare = await loadModel('/models/xor.json').then(
        () => 'loaded',
        (e: Error) => e.message,
      );
      const result = { compiled: [viaHttp.isCompiled, viaUrl.isCompiled], bare };
      viaHttp.dispose();
      viaUrl.dispose();
      return result;
    });
    expect(fromServer.compiled).toEqual([true, true]);
    expect(fromServer.bare).toMatch(/file paths need Node\.js/);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('on a cross-origin isolated page, with the headers the page gives for vite, wasm loads its threaded build', async () => {
    const { page, errors, logged } = await openDocPage('isolated/');
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)).toBe(true);
    expect(requested.filter((p) => p.endsWith('.wasm'))).toEqual(['/assets/tfjs-backend-wasm-threaded-simd.wasm']);
    const lines = await Promise.all(logged);
    expect(lines).toContainEqual(['training on wasm']);
    expect(lines.some((l) => /^epoch 200: loss/.test(String(l[0])))).toBe(true);
    await page.close();
  });
});

interface DocPage {
  tf: typeof import('@tensorflow/tfjs-core');
  loadModel: typeof import('brickml').loadModel;
}
