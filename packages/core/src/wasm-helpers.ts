/**
 * Threads for brickml's own wasm products (wasm-matmul.ts, wasm-conv.ts) beside the calling one. Where tfjs'
 * threaded build runs, its memory is shared, so a compiled product can be instantiated on another thread
 * against the same memory: a product is cut into slices of C, and each slice runs on its own thread. The
 * threads themselves are started per platform (wasm-helpers-node.ts in Node) and handed over here.
 */

/** A compiled product, the six arguments of its `run`. */
export interface ProductCall {
  /** The compiled module, for a helper to instantiate on its thread. */
  module: object;
  /** Its `run`, instantiated on this thread. */
  run: (...args: number[]) => void;
  args: number[];
}

/** Threads that run lists of product calls over one memory. */
export interface KernelHelpers {
  /** How many helper threads. */
  readonly count: number;
  /** The most calls `start` takes at once. */
  readonly maxCalls: number;
  /** Starts `calls`, in order, on helper `helper`; returns at once. */
  start(helper: number, calls: readonly ProductCall[]): void;
  /** Returns once helper `helper` has run what it was last given; throws what a call threw there. */
  wait(helper: number): void;
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
 * Runs `lists[0]` on this thread and each further list on a helper of `memory`, and returns when all
 * have ended (a throw on this thread waits for the helpers first: they write into the same memory). Lists
 * longer than a helper takes at once go in rounds, each list's calls in order.
 */
export function runOnThreads(memory: object, lists: readonly (readonly ProductCall[])[]): void {
  const helpers = kernelHelpers(memory);
  if (!helpers || lists.length - 1 > helpers.count) {
    throw new Error(`${lists.length} slices of a product for ${helpers?.count ?? 0} helper thread(s)`);
  }
  const longest = Math.max(...lists.map((calls) => calls.length));
  for (let from = 0; from < longest; from += helpers.maxCalls) {
    const round = lists.map((calls) => calls.slice(from, from + helpers.maxCalls));
    const started: number[] = [];
    let failed = false;
    let failure: unknown;
    try {
      for (let h = 1; h < round.length; h++) {
        helpers.start(h - 1, round[h] as ProductCall[]);
        started.push(h - 1);
      }
      for (const call of round[0] ?? []) call.run(...call.args);
    } catch (e) {
      [failed, failure] = [true, e];
    }
    for (const h of started) {
      try {
        helpers.wait(h);
      } catch (e) {
        if (!failed) [failed, failure] = [true, e];
      }
    }
    if (failed) throw failure;
  }
}
