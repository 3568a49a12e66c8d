/** Command-line pieces shared by fit.ts and rnn.ts. */
import type { BackendInfo, UseBackendOptions } from '@brickml/core';

/** `--threads N` as useBackend's options (wasm's XNNPACK threads); none given, useBackend's default. */
export function threadsOption(flag: string | undefined): UseBackendOptions {
  if (flag === undefined) return {};
  const threads = Number(flag);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be an integer >= 1, received ${flag}`);
  return { threads };
}

/** The backend as the benchmarks print it: `wasm (2 threads)`, `webgpu (software)`. */
export function labelOf(info: BackendInfo): string {
  if (info.adapter) return `${info.name} (${info.adapter})`;
  if (info.threads !== undefined) return `${info.name} (${info.threads} thread${info.threads === 1 ? '' : 's'})`;
  return info.name;
}
