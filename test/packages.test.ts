/**
 * What each published package shows and ships. npm renders a package's README outside the repository, so its
 * links are absolute; the manifest carries the license, engines and repository fields a registry page reads;
 * the tarball holds dist, README and LICENSE, and no source map (the sources one points at are not shipped).
 * The tarball checks read `pnpm pack --dry-run` (offline, the list `pnpm publish` ships) of a built tree: run
 * `pnpm build` first (an unbuilt tree skips them, saying so; CI always runs them).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const GITHUB = 'https://github.com/brickml/brickml';

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  keywords?: string[];
  homepage?: string;
  bugs?: { url?: string };
  repository?: { type?: string; url?: string; directory?: string };
  engines?: { node?: string };
  sideEffects?: boolean | string[];
  files?: string[];
  bin?: string | Record<string, string>;
  exports?: unknown;
  publishConfig?: { exports?: unknown };
}

const published = readdirSync(join(root, 'packages'))
  .map((dir) => {
    const path = join(root, 'packages', dir);
    return { dir, path, manifest: JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as Manifest };
  })
  .filter((p) => !p.manifest.private);

/** Link targets in markdown and inline HTML, outside code: inline links and images, references, href/src. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const patterns = [
    /!?\[[^\]]*\]\(\s*<?([^)\s>]+)/g,
    /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)/gm,
    /\b(?:href|src)\s*=\s*["']([^"']+)/g,
  ];
  return patterns.flatMap((re) => [...prose.matchAll(re)].map((m) => m[1]!));
}

/** A target npm can follow from its own page: a scheme (https:, mailto:) or an anchor in the page. */
const isAbsolute = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#');

/** Every path a manifest's published `exports` (all conditions but `source`) and `bin` name, without `./`. */
function entryPaths(manifest: Manifest): string[] {
  const walk = (node: unknown): string[] =>
    typeof node === 'string'
      ? [node]
      : node && typeof node === 'object'
        ? Object.entries(node).flatMap(([key, value]) => (key === 'source' ? [] : walk(value)))
        : [];
  const bin = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  return [...walk(manifest.publishConfig?.exports ?? manifest.exports), ...bin].map((p) => p.replace(/^\.\//, ''));
}

async function packedFiles(path: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('pnpm', ['pack', '--dry-run', '--json'], { cwd: path });
  const parsed = JSON.parse(stdout) as { files: { path: string }[] } | { files: { path: string }[] }[];
  return (Array.isArray(parsed) ? parsed[0]! : parsed).files.map((f) => f.path).sort();
}

describe('the link check', () => {
  test('sees inline links, images, references and HTML links, and skips code', () => {
    const md = [
      '[a](../../README.md) ![b](docs/x.png) [c](https://x.org/y) [d](#usage)',
      '[e]: ../core',
      '<a href="docs/DESIGN.md">f</a>',
      '`[g](../code-span)`',
      '```ts\nconst h = xs[0](1);\n```',
    ].join('\n');
    expect(linkTargets(md)).toEqual([
      '../../README.md',
      'docs/x.png',
      'https://x.org/y',
      '#usage',
      '../core',
      'docs/DESIGN.md',
    ]);
    expect(linkTargets(md).filter((t) => !isAbsolute(t))).toEqual([
      '../../README.md',
      'docs/x.png',
      '../core',
      'docs/DESIGN.md',
    ]);
  });
});

describe.each(published)('the published package $manifest.name', ({ dir, path, manifest }) => {
  test('says in its README how to install it and that it is ESM only', () => {
    const readme = readFileSync(join(path, 'README.md'), 'utf8');
    expect(readme).toContain(`npm install ${manifest.name} `);
    expect(readme).toContain('ES modules only, for Node.js ^20.19 or >=22.12');
  });

  test('links only to absolute addresses from its README', () => {
    const readme = readFileSync(join(path, 'README.md'), 'utf8');
    expect(linkTargets(readme).filter((t) => !isAbsolute(t))).toEqual([]);
  });

  test('carries the MIT LICENSE of the repository root and lists it in files', () => {
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(path, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'LICENSE', 'CHANGELOG.md']));
  });

  test('names its Node engines, repository folder, homepage, issue tracker and keywords', () => {
    // ES modules only: from these versions on, CommonJS code can require() them too.
    expect(manifest.engines).toEqual({ node: '^20.19.0 || >=22.12.0' });
    expect(manifest.repository).toEqual({ type: 'git', url: `git+${GITHUB}.git`, directory: `packages/${dir}` });
    expect(manifest.homepage).toBe(`${GITHUB}#readme`);
    expect(manifest.bugs).toEqual({ url: `${GITHUB}/issues` });
    expect(manifest.keywords?.length).toBeGreaterThan(0);
  });

  // CI builds before it tests and must run this; a tree never built (`pnpm test` straight after install) skips it.
  const built = existsSync(join(path, 'dist', 'index.js'));
  test.runIf(built || process.env.CI)(
    `packs LICENSE, CHANGELOG, README, its built entries and side-effect files, and no source map${built ? '' : ' (not built: run pnpm build)'}`,
    async () => {
      const files = await packedFiles(path);
      const sideEffects = Array.isArray(manifest.sideEffects) ? manifest.sideEffects : [];
      const shipped = sideEffects.map((p) => p.replace(/^\.\//, '')).filter((p) => p.startsWith('dist/'));
      const needed = ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts'];
      expect(files, 'pack a built tree: run pnpm build first').toEqual(
        expect.arrayContaining([...needed, ...entryPaths(manifest), ...shipped]),
      );
      expect(files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.includes('.test.'))).toEqual([]);
      const mapped = files.filter(
        (f) => /\.(js|d\.ts)$/.test(f) && readFileSync(join(path, f), 'utf8').includes('sourceMappingURL'),
      );
      expect(mapped).toEqual([]);
    },
  );
});

// A config's type is its zod schema's; each field's doc must reach the published .d.ts, the literal fields of a
// config and those of a shared group (BaseFields, KernelFields, OptimizerFields, ...), for editors to show it.
const consumer = `
import { Dense, type GRUConfig } from '@brickml/layers';
import { Huber } from '@brickml/losses';
import { Precision } from '@brickml/models';
import { AdamW } from '@brickml/optimizers';
new Dense({ units: 1, activation: 'relu', name: 'd' });
const gru: GRUConfig = { units: 2, recurrentActivation: 'sigmoid', returnSequences: true };
new Huber({ delta: 2 });
new AdamW({ learningRate: 0.1, weightDecay: 0.1, beta1: 0.9 });
new Precision({ thresholds: 0.5 });
`;
const hovers = [
  { brick: 'Dense', field: 'units', doc: 'Width of the output.' },
  { brick: 'Dense', field: 'activation', doc: 'Activation fused after the affine map. Default: linear.' },
  { brick: 'Dense', field: 'name', doc: 'Unique name in a model.' },
  { brick: 'gru', field: 'recurrentActivation', doc: 'Activation of the gates z and r. Default: sigmoid.' },
  { brick: 'gru', field: 'returnSequences', doc: "Output every step's h" },
  { brick: 'Huber', field: 'delta', doc: 'Where the loss turns from quadratic to linear.' },
  { brick: 'AdamW', field: 'learningRate', doc: 'Step size: a number or a schedule.' },
  {
    brick: 'AdamW',
    field: 'weightDecay',
    doc: 'Decoupled weight decay: w -= lr·weightDecay·w before each update. Default 0.004.',
  },
  { brick: 'AdamW', field: 'beta1', doc: 'Decay of the first-moment (mean) estimate.' },
  { brick: 'Precision', field: 'thresholds', doc: 'A prediction above a threshold counts as positive' },
];
const typesBuilt = ['layers', 'losses', 'models', 'optimizers'].every((p) =>
  existsSync(join(root, 'packages', p, 'dist', 'index.d.ts')),
);
describe.runIf(typesBuilt || process.env.CI)(
  `the published types${typesBuilt ? '' : ' (not built: run pnpm build)'}`,
  () => {
    // An editor's hover, read from the .d.ts files (no source condition), for a file beside this one.
    const file = join(root, 'test', 'hover-consumer.ts');
    const options: ts.CompilerOptions = {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      types: [],
    };
    const service = ts.createLanguageService({
      getScriptFileNames: () => [file],
      getScriptVersion: () => '1',
      getScriptSnapshot: (name) =>
        name === file
          ? ts.ScriptSnapshot.fromString(consumer)
          : ts.sys.fileExists(name)
            ? ts.ScriptSnapshot.fromString(ts.sys.readFile(name) ?? '')
            : undefined,
      getCurrentDirectory: () => root,
      getCompilationSettings: () => options,
      getDefaultLibFileName: ts.getDefaultLibFilePath,
      fileExists: (name) => name === file || ts.sys.fileExists(name),
      readFile: (name) => (name === file ? consumer : ts.sys.readFile(name)),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
      realpath: ts.sys.realpath,
    });

    test.each(hovers)("show the doc of $brick's $field on hover", ({ brick, field, doc }) => {
      const at = consumer.indexOf(`${field}:`, consumer.search(new RegExp(`(new |const )${brick}\\b`)));
      const info = service.getQuickInfoAtPosition(file, at);
      expect(ts.displayPartsToString(info?.displayParts)).toContain(field);
      expect(ts.displayPartsToString(info?.documentation)).toContain(doc);
    });

    test('resolve the packages to their built .d.ts', () => {
      const program = service.getProgram()!;
      const dts = program.getSourceFiles().map((f) => f.fileName.replace(/\\/g, '/'));
      expect(dts.some((f) => f.endsWith('packages/layers/dist/core/dense.d.ts'))).toBe(true);
      expect(dts.some((f) => f.includes('packages/layers/src/'))).toBe(false);
    });
  },
);

// A module that registers something when it loads must not be dropped by a bundler that only sees its exports
// unused: layers' registry hands wrappers their brick factory, models' Node entry installs the file system.
const registering = [
  {
    entry:
      "import { TimeDistributed } from '@brickml/layers'; new TimeDistributed({ layer: { className: 'Dense', config: { units: 2 } } });",
    keeps: 'provideBrickFactory(layerFromSpec)',
  },
  { entry: "import { loadModel } from '@brickml/models'; loadModel('model');", keeps: 'setFileSystem(nodeFileSystem)' },
];
const distBuilt = ['layers', 'models'].every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js')));
describe.runIf(distBuilt || process.env.CI)(
  `a bundle of the built packages${distBuilt ? '' : ' (not built: run pnpm build)'}`,
  () => {
    test.each(registering)('keeps $keeps, which runs when its module loads', async ({ entry, keeps }) => {
      const result = await build({
        stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'node',
        minify: false,
        external: ['@tensorflow/*', 'zod', 'fflate', 'h5wasm'],
        logLevel: 'silent',
      });
      expect(result.outputFiles[0]!.text).toContain(keeps);
    });
  },
);
