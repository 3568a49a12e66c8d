/**
 * Threads for brickml's own wasm products (wasm-matmul.ts, wasm-conv.ts) beside the calling one. Where tfjs'
 * threaded build runs, its memory is shared, so a compiled product can be instantiated on another thread
 * against the same memory: a product is cut into slices of C, and each slice runs on its own thread. The
 * threads themselves are started per platform (wasm-helpers-node.ts in Node) and handed over here.
 */

/**
 * The most arguments a call run on a helper thread takes (a product's run takes RUN_PARAMS; a formula's
 * one per result, its size, one per input and one per constant): a call's room in the control block.
 */
export const CALL_ARGS = 16;

/** A compiled product, the arguments of its `run`. */
export interface ProductCall {
  /** The compiled module, for a helper to instantiate on its thread. */
  module: object;
  /** Its `run`, instantiated on this thread. */
  run: (...args: number[]) => void;
  args: number[];
}

/** Threads that run chunks of product calls over one memory, beside the thread that hands them out. */
export interface KernelHelpers {
  /** How many helper threads. */
  readonly count: number;
  /** The most calls `start` takes at once (all chunks together). */
  readonly maxCalls: number;
  /**
   * Hands `chunks` to every helper and returns at once. Each thread, the caller included, then runs the
   * chunks it claims (`claim`), one after another, a chunk's calls in order, until none is left.
   */
  start(chunks: readonly (readonly ProductCall[])[]): void;
  /** The index of a chunk of the job started that no thread has claimed yet; chunks.length or more once none is left. */
  claim(): number;
  /**
   * Returns once helper `helper` has ended the job started, with the number of chunks it ran; throws what a
   * call threw there.
   */
  wait(helper: number): number;
  /** Stops the threads. */
  close(): Promise<void>;
}

const byMemory = new WeakMap<object, KernelHelpers>();

/** Hands over the helper threads that run products over `memory` (null: none). */
export function setKernelHelpers(memory: object, helpers: KernelHelpers | null): void {
  if (helpers) byMemory.set(memory, helpers);
  else byMemory.delete(memory);
}

/** The helper threads for `memory`, if any were started. */
export function kernelHelpers(memory: object): KernelHelpers | undefined {
  return byMemory.get(memory);
}

/**
 * Runs `chunks` on this thread and the helpers of `memory`, each chunk once, its calls in order, and
 * returns when all have ended (a throw on this thread waits for the helpers first: they write into the
 * same memory). The chunks are claimed, not dealt: a helper that wakes late or runs slow, on a machine
 * whose other core is busy, takes fewer of them. Chunks longer than a job takes go in rounds.
 */
export function runOnThreads(memory: object, chunks: readonly (readonly ProductCall[])[]): void {
  const helpers = kernelHelpers(memory);
  if (!helpers) throw new Error(`${chunks.length} chunks of a product and no helper thread`);
  const longest = Math.max(0, ...chunks.map((calls) => calls.length));
  const per = Math.max(1, Math.floor(helpers.maxCalls / Math.max(1, chunks.length)));
  for (let from = 0; from < longest; from += per) {
    const round = chunks.map((calls) => calls.slice(from, from + per));
    let [started, failed] = [false, false];
    let failure: unknown;
    try {
      helpers.start(round);
      started = true;
      for (let c = helpers.claim(); c < round.length; c = helpers.claim()) {
        for (const call of round[c] as ProductCall[]) call.run(...call.args);
      }
    } catch (e) {
      [failed, failure] = [true, e];
    }
    for (let h = 0; started && h < helpers.count; h++) {
      try {
        helpers.wait(h);
      } catch (e) {
        if (!failed) [failed, failure] = [true, e];
      }
    }
    if (failed) throw failure;
  }
}
