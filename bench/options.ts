/** Command-line pieces shared by fit.ts and rnn.ts. */
import type { BackendInfo, UseBackendOptions } from '@brickml/core';
import * as tf from '@tensorflow/tfjs-core';

/** `--threads N` as useBackend's options (the threads wasm computes on); none given, useBackend's default. */
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

/** `--tf-flag NAME=VALUE` (repeatable): sets tfjs environment flags, e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64. */
export function setTfFlags(flags: string[] | undefined): void {
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    if (eq < 1) throw new Error(`--tf-flag must be NAME=VALUE, received ${flag}`);
    const raw = flag.slice(eq + 1);
    const value = raw === 'true' ? true : raw === 'false' ? false : Number.isNaN(Number(raw)) ? raw : Number(raw);
    try {
      tf.env().set(flag.slice(0, eq), value);
    } catch (e) {
      throw new Error(
        `--tf-flag ${flag}: ${e instanceof Error ? e.message : String(e)} (flags belong to the backend loaded)`,
      );
    }
  }
}

/**
 * On webgpu, counts the programs tfjs dispatches (a kernel may dispatch several, or none) until `stop`;
 * elsewhere `stop` gives null.
 */
export function countDispatches(): { stop(): number | null } {
  const backend = tf.backend() as { runWebGPUProgram?: (...args: unknown[]) => unknown };
  const run = backend.runWebGPUProgram;
  if (typeof run !== 'function') return { stop: () => null };
  let count = 0;
  backend.runWebGPUProgram = (...args: unknown[]) => {
    count++;
    return run.apply(backend, args);
  };
  return {
    stop() {
      backend.runWebGPUProgram = run;
      return count;
    },
  };
}
