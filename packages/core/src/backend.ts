import * as tf from '@tensorflow/tfjs-core';
import { BrickError } from './errors.js';
import { setupNodeWebGPU, type WebGPUAdapterKind } from './webgpu-node.js';

export type BackendName = 'cpu' | 'wasm' | 'webgpu' | 'tensorflow';
export const BACKENDS: readonly BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow'];

export interface BackendInfo {
  name: BackendName;
  /** For webgpu: 'hardware' on a real GPU, 'software' on the Mesa fallback. */
  adapter?: WebGPUAdapterKind;
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

async function loadWasm(): Promise<BackendInfo> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    throw missing('wasm', '@tensorflow/tfjs-backend-wasm', e);
  }
  await activate('wasm');
  return { name: 'wasm' };
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
 */
export async function useBackend(name: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  switch (name) {
    case 'cpu':
      current = await loadCpu();
      break;
    case 'wasm':
      current = await loadWasm();
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
        loadWasm,
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
