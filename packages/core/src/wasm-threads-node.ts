/**
 * tfjs-backend-wasm's threaded build (XNNPACK on a pthread pool) in Node.
 *
 * tfjs 4.22 never picks that build in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there), and forcing the
 * flag fails: its init hands Emscripten the pthread worker script and the module factory as Blob URLs,
 * which Node's Worker cannot open. Emscripten's own code supports worker_threads, so this file builds the
 * module the way Node can run it, from the package's files:
 *
 * - the factory is `wasm-out/tfjs-backend-wasm-threaded-simd.js`, loaded with `require`; each pthread
 *   worker reads that same file by its path (Emscripten's `_scriptDir`), so no Blob is needed for it;
 * - the worker script, which the package ships as a string (`wasmWorkerContents`), runs from a `data:` URL
 *   (an ES module for Node) that first gives it the `require` and `__filename` it expects of a CommonJS file;
 * - the C++ side caps the pool at `emscripten_num_logical_cores() / 2` (it assumes two hyperthreads per
 *   core), which is one thread on a 2-vCPU machine; the module reports twice the requested count, so
 *   the pool gets exactly the count asked for (the build's upper bound, 8, still holds).
 *
 * The module then goes to tfjs' own `BackendWasm`, as tfjs' init would hand it, so every kernel is
 * tfjs'. Nothing here is reached outside Node: backend.ts imports this file only there.
 */

/** The most threads the build's pool takes (tfjs pre-creates 8 pthread workers and caps the pool at 8). */
export const MAX_WASM_THREADS = 8;

/** The parts of an Emscripten module that tfjs' BackendWasm and this file use. */
export interface ThreadedWasmModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] };
  tfjs?: Record<string, unknown>;
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedWasmModule>;

/** The one WebAssembly call made here (the project's lib settings leave WebAssembly's types out). */
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: unknown; module: unknown }>;
}

interface NodeRequire {
  (id: string): unknown;
  resolve(id: string): string;
}

const BUILD = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';

export async function nodeRequire(): Promise<NodeRequire> {
  // A name in a variable: bundlers leave this Node builtin out of browser builds.
  const name = 'node:module';
  const { createRequire } = (await import(/* @vite-ignore */ name)) as {
    createRequire(from: string): NodeRequire;
  };
  return createRequire(import.meta.url);
}

/** The logical cores Node sees (os.availableParallelism, or the CPU count on older Node). */
export async function nodeCores(): Promise<number> {
  const require = await nodeRequire();
  const os = require('node:os') as { availableParallelism?(): number; cpus(): unknown[] };
  return os.availableParallelism?.() ?? os.cpus().length;
}

/**
 * Lets WebAssembly compiled from now on use relaxed SIMD (fused multiply-add) where this Node has it behind
 * a flag (Node 20; on by default from Node 22). Only modules that ask for the instructions see a change:
 * brickml's matrix product (wasm-matmul.ts) checks that its module validates before using it.
 */
export async function allowRelaxedSimd(): Promise<void> {
  const require = await nodeRequire();
  const v8 = require('node:v8') as { setFlagsFromString(flags: string): void };
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/**
 * Instantiates the threaded SIMD build with a pool of `threads` threads. Rejects (never hangs longer
 * than `timeoutMs`) when the module or its workers cannot start.
 */
export async function createThreadedWasmModule(threads: number, timeoutMs = 30_000): Promise<ThreadedWasmModule> {
  const require = await nodeRequire();
  const fs = require('node:fs') as { readFileSync(path: string): Uint8Array };
  const { pathToFileURL } = require('node:url') as { pathToFileURL(path: string): URL };
  const factoryPath = require.resolve(`${BUILD}.js`);
  const wasmPath = require.resolve(`${BUILD}.wasm`);
  const factory = require(factoryPath) as Factory;
  const { wasmWorkerContents } = require(`${BUILD}.worker.js`) as { wasmWorkerContents: string };

  // tfjs escapes the newlines of the worker string before running it (a "\n" inside a string literal of
  // the script arrives as a real newline); the same is done here.
  const workerSource = [
    `import { createRequire } from 'node:module';`,
    `const require = createRequire(${JSON.stringify(pathToFileURL(factoryPath).href)});`,
    `const __filename = ${JSON.stringify(factoryPath)};`,
    wasmWorkerContents.replace(/\n/g, '\\n'),
  ].join('\n');
  const workerUrl = new URL(`data:text/javascript,${encodeURIComponent(workerSource)}`);

  let timer: ReturnType<typeof setTimeout> | undefined;
  const aborted = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the threaded build did not start in ${timeoutMs} ms`)), timeoutMs);
  });
  let abortReason: (why: unknown) => void = () => {};
  const onAbort = new Promise<never>((_, reject) => {
    abortReason = (why) => reject(new Error(`the threaded build aborted: ${String(why)}`));
  });
  const created = factory({
    // Emscripten hands this straight to `new Worker(...)`, which takes a data: URL object.
    locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? workerUrl : prefix + path),
    instantiateWasm(imports: { env: Record<string, unknown> }, receive: (instance: unknown, module: unknown) => void) {
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      const wa = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
      wa.instantiate(fs.readFileSync(wasmPath), imports).then(
        ({ instance, module }) => receive(instance, module),
        (e: unknown) => abortReason(e),
      );
      return {};
    },
    onAbort: (why: unknown) => abortReason(why),
  });
  try {
    const module = await Promise.race([created, aborted, onAbort]);
    wireTfjs(module);
    return module;
  } finally {
    clearTimeout(timer);
  }
}

/** What tfjs' init adds to the module before handing it to BackendWasm (backend_wasm.js, init). */
function wireTfjs(module: ThreadedWasmModule): void {
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
}

/**
 * Lets Node exit while the pool's threads wait for work: Emscripten refs a worker while it runs a pthread,
 * and XNNPACK's threads run for the life of the backend.
 */
export function unrefThreads(module: ThreadedWasmModule): void {
  for (const worker of module.PThread.runningWorkers) worker.unref();
}
