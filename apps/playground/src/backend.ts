/**
 * The backend the page trains on: webgpu where the browser has a GPU adapter, else wasm (XNNPACK). The
 * wasm binaries are emitted beside the page by vite (`?url`) and handed to tfjs before it loads them.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { type BackendName, useBackend } from 'brickml';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasm,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

export type PageBackend = Extract<BackendName, 'wasm' | 'webgpu' | 'cpu'>;

/** True when the browser offers a WebGPU adapter that is not a software fallback. */
export async function hasWebGPU(): Promise<boolean> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ isFallbackAdapter?: boolean } | null> } }).gpu;
  if (!gpu) return false;
  const adapter = await gpu.requestAdapter().catch(() => null);
  return !!adapter && !adapter.isFallbackAdapter;
}

/** Switches to `name`, or to the best the browser has: webgpu, then wasm. */
export async function selectBackend(name: PageBackend | 'best'): Promise<PageBackend> {
  const chosen = name === 'best' ? ((await hasWebGPU()) ? 'webgpu' : 'wasm') : name;
  await useBackend(chosen);
  return chosen;
}
