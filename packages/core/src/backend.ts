import * as tf from '@tensorflow/tfjs-core';
import { BrickError } from './errors.js';
import { kernelHelpers, setKernelHelpers } from './wasm-helpers.js';
import { startKernelHelpers } from './wasm-helpers-node.js';
import { memoryOf, relaxedSimdSupported, type WasmBackendLike } from './wasm-module.js';
import {
  allowRelaxedSimd,
  createThreadedWasmModule,
  MAX_WASM_THREADS,
  nodeCores,
  unrefThreads,
} from './wasm-threads-node.js';
import { setupNodeWebGPU, type WebGPUAdapterKind } from './webgpu-node.js';

export type BackendName = 'cpu' | 'wasm' | 'webgpu' | 'tensorflow';
export const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];

export interface BackendInfo {
  name: BackendName;
  /** For webgpu: 'hardware' on a real GPU, 'software' on the Mesa fallback. */
  adapter?: WebGPUAdapterKind;
  /** For wasm: the threads it computes on (1 on tfjs' single-threaded build). */
  threads?: number;
}

export interface UseBackendOptions {
  /**
   * wasm only: the threads it computes on, 1 to 8. In Node the default is the environment variable
   * BRICKML_WASM_THREADS when set, else the machine's logical cores; more than one loads tfjs' threaded
   * build, whose memory brickml's matrix products and convolutions share with helper threads (tfjs'
   * other kernels keep one thread), and where that cannot start wasm runs on one thread, without an
   * error (`threads` in the returned info says which). The count is fixed once wasm has started: asking
   * for another one then is an error. In browsers tfjs chooses the build (threads need a cross-origin
   * isolated page) and this count reaches tfjs' `setThreadsCount`, the size of XNNPACK's pool, before
   * wasm first starts.
   */
  threads?: number;
}

let current: BackendInfo | null = null;
const isNode = typeof process !== 'undefined' && !!process.versions?.node;

function missing(name: BackendName, pkgs: string, cause: unknown): BrickError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new BrickError(`useBackend('${name}'): could not load it (${why}). Install ${pkgs}.`, 'useBackend');
}

async function loadCpu(): Promise<BackendInfo> {
  try {
    await import('@tensorflow/tfjs-backend-cpu');
  } catch (e) {
    throw missing('cpu', '@tensorflow/tfjs-backend-cpu', e);
  }
  await activate('cpu');
  return { name: 'cpu' };
}

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');
type BackendFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;

/** tfjs' own wasm factory (the single-threaded build in Node), kept while brickml's stands in for it. */
let tfjsWasmFactory: BackendFactory | null = null;
/** The thread count the registered wasm factory builds for (Node); null until brickml registers one. */
let wasmThreadsWanted: number | null = null;

async function loadWasm(opts: UseBackendOptions): Promise<BackendInfo> {
  let wasm: WasmPackage;
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    throw missing('wasm', '@tensorflow/tfjs-backend-wasm', e);
  }
  const asked = opts.threads === undefined ? undefined : checkThreads(opts.threads, 'threads');
  if (isNode) {
    if (!relaxedSimdSupported()) {
      await allowRelaxedSimd();
      relaxedSimdSupported(true);
    }
    if (!tf.findBackend('wasm')) {
      await registerNodeWasm(wasm, asked ?? (await defaultNodeThreads()));
    } else if (asked !== undefined && asked !== wasmThreads(wasm)) {
      // Re-creating the backend would dispose every tensor held on it; refusing keeps them usable.
      throw new BrickError(
        `useBackend('wasm'): wasm already runs on ${wasmThreads(wasm)} thread(s); the count is fixed once it has started`,
        'useBackend',
      );
    }
  } else if (asked !== undefined && !tf.findBackend('wasm')) {
    wasm.setThreadsCount(asked);
  }
  await activate('wasm');
  return { name: 'wasm', threads: wasmThreads(wasm) };
}

/** The threads wasm computes on: XNNPACK's pool, and the helper threads of brickml's products beside it. */
function wasmThreads(wasm: WasmPackage): number {
  const memory = memoryOf((tf.findBackend('wasm') ?? {}) as Partial<WasmBackendLike>);
  return wasm.getThreadsCount() + ((memory && kernelHelpers(memory)?.count) || 0);
}

function checkThreads(n: number, what: string, given: unknown = n): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new BrickError(
      `useBackend('wasm'): ${what} must be a whole number >= 1, got ${JSON.stringify(given)}`,
      'useBackend',
    );
  }
  return Math.min(n, MAX_WASM_THREADS);
}

async function defaultNodeThreads(): Promise<number> {
  const fromEnv = process.env.BRICKML_WASM_THREADS;
  if (fromEnv !== undefined && fromEnv !== '') return checkThreads(Number(fromEnv), 'BRICKML_WASM_THREADS', fromEnv);
  return Math.min(await nodeCores(), MAX_WASM_THREADS);
}

/**
 * Registers the wasm factory for `threads` in Node, before wasm starts: tfjs' own for one thread, else
 * one that builds the threaded module from the package's files (wasm-threads-node.ts) and falls back to
 * tfjs' own when that fails.
 */
async function registerNodeWasm(wasm: WasmPackage, threads: number): Promise<void> {
  if (threads === wasmThreadsWanted) return;
  tfjsWasmFactory ??= tf.findBackendFactory('wasm');
  const tfjsFactory = tfjsWasmFactory;
  if (wasmThreadsWanted === null && threads === 1) {
    // tfjs' factory is already the registered one.
    wasmThreadsWanted = 1;
    return;
  }
  const factory: BackendFactory =
    threads === 1
      ? tfjsFactory
      : async () => {
          try {
            // The threaded build for its shared memory: brickml's products run on `threads` threads over it
            // (helpers beside the calling one), and XNNPACK's pool keeps one. A pool of two handed out each
            // of a training step's small kernels at a cost: addition_rnn measured 28-40 ms a step against
            // 18-22 on a pool of one, mnist_mlp 25 against 20, mnist_cnn the same.
            const module = await createThreadedWasmModule(1);
            wasm.setThreadsCount(1);
            const backend = new wasm.BackendWasm(
              module as unknown as ConstructorParameters<typeof wasm.BackendWasm>[0],
            );
            unrefThreads(module);
            await startHelpers(backend, threads - 1);
            return backend;
          } catch {
            return tfjsFactory();
          }
        };
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, 2);
  wasmThreadsWanted = threads;
}

/**
 * Starts `count` threads for brickml's own products over the threaded backend's shared memory
 * (wasm-helpers.ts). Where they cannot start, wasm runs on one thread.
 */
async function startHelpers(backend: tf.KernelBackend, count: number): Promise<void> {
  const memory = memoryOf(backend as unknown as Partial<WasmBackendLike>);
  if (!memory || !(memory.buffer instanceof SharedArrayBuffer)) return;
  try {
    setKernelHelpers(memory, await startKernelHelpers(memory, count));
  } catch {
    setKernelHelpers(memory, null);
  }
}

let webgpuAdapter: WebGPUAdapterKind | undefined;

async function loadWebGPU(opts: { allowSoftware: boolean }): Promise<BackendInfo> {
  if (!webgpuAdapter) {
    if (isNode) {
      webgpuAdapter = await setupNodeWebGPU(opts.allowSoftware);
    } else if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
      webgpuAdapter = 'hardware';
    } else {
      throw new BrickError(`useBackend('webgpu'): this browser has no navigator.gpu`, 'useBackend');
    }
    try {
      // The backend registers itself on import, and only if navigator.gpu is already set.
      await import('@tensorflow/tfjs-backend-webgpu');
    } catch (e) {
      webgpuAdapter = undefined;
      throw missing('webgpu', '@tensorflow/tfjs-backend-webgpu (and, in Node, webgpu)', e);
    }
  }
  if (webgpuAdapter === 'software' && !opts.allowSoftware) {
    throw new BrickError(`useBackend('webgpu'): only a software adapter is available`, 'useBackend');
  }
  await activate('webgpu');
  return { name: 'webgpu', adapter: webgpuAdapter };
}

async function loadTensorflow(): Promise<BackendInfo> {
  // Neither package is a dependency: their install downloads libtensorflow, so only users who have
  // them get this backend. The names are variables so bundlers do not try to resolve them.
  const candidates = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
  let lastError: unknown;
  for (const pkg of candidates) {
    try {
      await import(/* @vite-ignore */ pkg);
      await activate('tensorflow');
      return { name: 'tensorflow' };
    } catch (e) {
      lastError = e;
    }
  }
  throw missing('tensorflow', '@tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node', lastError);
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new BrickError(`useBackend('${name}'): the backend failed to initialize`, 'useBackend');
  await tf.ready();
  // tfjs-backend-cpu 4.22 prints advice to install tfjs-node on its first upload in Node (a private
  // `firstUse` flag decides). brickml says which backends exist through useBackend and `brickml backends`;
  // the banner would only add noise to scripts.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/**
 * Selects the backend every tensor op runs on, loading its package on demand.
 * 'auto' picks the fastest available: tensorflow, then webgpu on a hardware GPU, then wasm, then cpu.
 *
 * @example
 * await useBackend('wasm');
 * await useBackend('wasm', { threads: 1 }); // one thread
 */
export async function useBackend(
  name: BackendName | 'auto' = 'auto',
  options: UseBackendOptions = {},
): Promise<BackendInfo> {
  switch (name) {
    case 'cpu':
      current = await loadCpu();
      break;
    case 'wasm':
      current = await loadWasm(options);
      break;
    case 'webgpu':
      current = await loadWebGPU({ allowSoftware: true });
      break;
    case 'tensorflow':
      current = await loadTensorflow();
      break;
    case 'auto': {
      const tries: (() => Promise<BackendInfo>)[] = [
        loadTensorflow,
        () => loadWebGPU({ allowSoftware: false }),
        () => loadWasm(options),
        loadCpu,
      ];
      for (const load of tries) {
        try {
          current = await load();
          break;
        } catch {
          // try the next one
        }
      }
      if (!current) throw new BrickError(`useBackend('auto'): no backend could be loaded`, 'useBackend');
      break;
    }
    default:
      throw new BrickError(
        `useBackend: unknown backend '${String(name)}', expected one of ${[...BACKENDS, 'auto'].join(', ')}`,
        'useBackend',
      );
  }
  return current;
}

/** The backend chosen by the last useBackend call, or null. */
export function currentBackend(): BackendInfo | null {
  return current;
}
